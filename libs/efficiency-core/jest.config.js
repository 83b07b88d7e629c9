module.exports = require('../../jest.project.js')(__dirname, {
  // the pure core: the run fails below 100 %
  fullyCovered: ['global'],
});
