-- Compare-and-append: the only writer of an exercise's log.
--
-- One call appends the events of one or more commands (a hub's group commit), all or nothing.
--
-- KEYS[1] log stream, KEYS[2] meta hash, KEYS[3] applied-commands hash, KEYS[4] turn
-- ARGV[1] expected last seq (0 = create the exercise)
-- ARGV[2] epoch for a new exercise ("" otherwise)
-- ARGV[3] pub/sub channel
-- ARGV[4] append time (Unix seconds, as a string)
-- ARGV[5] writer (the instance id)
-- ARGV[6] n, the number of commands
-- ARGV[7 .. 6+2n] per command: its key "<participant>/<client id>" ("" when none), its event count
-- ARGV[7+2n ..] the encoded events of all the commands, in order
--
-- A writer that keeps losing races takes the turn (a short-lived key holding its id): while
-- another writer holds it, every other append is refused as busy, so the starving writer catches
-- up and appends next. A successful append by the holder gives the turn back.
--
-- Returns {"ok", last seq}, {"dup", seq of the first application, index of the command (1-based)},
-- {"conflict", current seq}, {"busy", current seq} (another writer holds the turn) or {"gone", 0}
-- when the exercise does not exist or is archived.
local head = redis.call('HMGET', KEYS[2], 'seq', 'archived')
local seq = tonumber(head[1] or '-1')
if head[2] then
  return {'gone', '0'}  -- archived: the log is kept, read-only (server/adapters/backups.py)
end
local expected = tonumber(ARGV[1])
local n = tonumber(ARGV[6])

for i = 1, n do
  local key = ARGV[5 + 2 * i]
  if key ~= '' then
    local done = redis.call('HGET', KEYS[3], key)
    if done then
      return {'dup', done, tostring(i)}
    end
  end
end

local turn = redis.call('GET', KEYS[4])
if turn and turn ~= ARGV[5] then
  return {'busy', tostring(seq)}
end

if expected == 0 then
  if seq ~= -1 then
    return {'conflict', tostring(seq)}
  end
  seq = 0
  redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'created', ARGV[4])
elseif seq == -1 then
  return {'gone', '0'}
elseif seq ~= expected then
  return {'conflict', tostring(seq)}
end

local first = seq + 1
local message = {first, ARGV[4]}
local event = 7 + 2 * n
for i = 1, n do
  for _ = 1, tonumber(ARGV[6 + 2 * i]) do
    seq = seq + 1
    redis.call('XADD', KEYS[1], seq .. '-0', 'e', ARGV[event], 'at', ARGV[4])
    message[#message + 1] = ARGV[event]
    event = event + 1
  end
  local key = ARGV[5 + 2 * i]
  if key ~= '' then
    redis.call('HSET', KEYS[3], key, seq)
  end
end
redis.call('HSET', KEYS[2], 'seq', seq)
if turn then
  redis.call('DEL', KEYS[4])
end
redis.call('PUBLISH', ARGV[3], cmsgpack.pack(message))
return {'ok', tostring(seq)}
