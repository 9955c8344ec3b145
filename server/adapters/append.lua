-- Compare-and-append: the only writer of an exercise's log.
--
-- KEYS[1] log stream, KEYS[2] meta hash, KEYS[3] applied-commands hash, KEYS[4] turn
-- ARGV[1] expected last seq (0 = create the exercise)
-- ARGV[2] epoch for a new exercise ("" otherwise)
-- ARGV[3] command key "<participant>/<client id>" ("" when none)
-- ARGV[4] pub/sub channel
-- ARGV[5] append time (Unix seconds, as a string)
-- ARGV[6] writer (the instance id)
-- ARGV[7..] encoded events, in order
--
-- A writer that keeps losing races takes the turn (a short-lived key holding its id): while
-- another writer holds it, every other append is refused as a conflict, so the starving writer
-- catches up and appends next. A successful append by the holder gives the turn back.
--
-- Returns {"ok", last seq}, {"dup", seq of the first application}, {"conflict", current seq}
-- or {"gone", 0} when the exercise does not exist.
local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '-1')
local expected = tonumber(ARGV[1])

if ARGV[3] ~= '' then
  local done = redis.call('HGET', KEYS[3], ARGV[3])
  if done then
    return {'dup', done}
  end
end

local turn = redis.call('GET', KEYS[4])
if turn and turn ~= ARGV[6] then
  return {'conflict', tostring(seq)}
end

if expected == 0 then
  if seq ~= -1 then
    return {'conflict', tostring(seq)}
  end
  seq = 0
  redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'created', ARGV[5])
elseif seq == -1 then
  return {'gone', '0'}
elseif seq ~= expected then
  return {'conflict', tostring(seq)}
end

local first = seq + 1
local message = {first, ARGV[5]}
for i = 7, #ARGV do
  seq = seq + 1
  redis.call('XADD', KEYS[1], seq .. '-0', 'e', ARGV[i], 'at', ARGV[5])
  message[#message + 1] = ARGV[i]
end
redis.call('HSET', KEYS[2], 'seq', seq)
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[3], seq)
end
if turn then
  redis.call('DEL', KEYS[4])
end
redis.call('PUBLISH', ARGV[4], cmsgpack.pack(message))
return {'ok', tostring(seq)}
