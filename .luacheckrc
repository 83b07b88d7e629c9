-- luacheck for the Redis scripts (`npm run lint:lua`): Lua 5.1 as Redis runs it, with the
-- globals Redis gives a script. Redis refuses to create globals, so none are allowed.
std = 'lua51'
read_globals = { 'redis', 'KEYS', 'ARGV', 'cjson', 'cmsgpack', 'bit', 'struct' }
max_line_length = 140
exclude_files = { '**/node_modules/**', '**/dist/**' }
