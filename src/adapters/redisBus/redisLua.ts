/**
 * The bus's Lua scripts. Each runs atomically; every stream is handled on its own (`redis.pcall`), so a
 * broken stream fails alone and its neighbours in the same run are stored and answered as usual.
 *
 * A stream is made consistent before it is used (`settle`):
 * - no meta (a new stream, or one lost with a Redis restart): a new epoch; leftover entries are deleted;
 * - `knownHead` -1: `candidate` is a fresh start the stream must be in (a removed Worker's id begun
 *   again): installed unless it already is;
 * - the caller saw a higher sequence in the same epoch than Redis now has (Redis came back with older
 *   data): a new epoch, so no sequence is ever handed out twice.
 * Entries above the head (`<head>-0`) were not written by the bus (sequences are assigned atomically
 * with their entry): they are deleted and the stream's last id is set back, so they cannot block the
 * next `XADD` (`trimBeyond`).
 */
const HELPERS = `
local function failed(r) return type(r) == 'table' and r.err ~= nil end

local function settle(meta, stream, candidate, knownEpoch, knownHead)
  local got = redis.pcall('HMGET', meta, 'epoch', 'seq')
  if failed(got) then return nil end
  local epoch, seq = got[1], tonumber(got[2])
  if (not epoch) or (not seq) or (knownHead == -1 and epoch ~= candidate) or (epoch == knownEpoch and seq < knownHead) then
    if failed(redis.pcall('DEL', stream)) then return nil end
    epoch, seq = candidate, 0
    if failed(redis.pcall('HSET', meta, 'epoch', epoch, 'seq', 0)) then return nil end
  end
  return epoch, seq
end

local function trimBeyond(stream, seq)
  local top = redis.pcall('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if failed(top) then return false end
  if not top[1] then return true end
  local ms, sq = string.match(top[1][1], '^(%d+)-(%d+)$')
  ms, sq = tonumber(ms), tonumber(sq)
  if ms < seq or (ms == seq and sq == 0) then return true end
  repeat
    local extra = redis.call('XRANGE', stream, seq .. '-1', '+', 'COUNT', 256)
    local ids = {}
    for i, e in ipairs(extra) do ids[i] = e[1] end
    if #ids > 0 then redis.call('XDEL', stream, unpack(ids)) end
  until #extra < 256
  -- XSETID refused (an older Redis): dropping the entries still unblocks; readers then see them trimmed
  if redis.call('XLEN', stream) == 0 or failed(redis.pcall('XSETID', stream, seq .. '-0')) then redis.call('DEL', stream) end
  return true
end

local function firstSlot(stream, seq)
  for _, e in ipairs(redis.call('XRANGE', stream, '-', seq .. '-0', 'COUNT', 8)) do
    local ms, sq = string.match(e[1], '^(%d+)-(%d+)$')
    if sq == '0' then return tonumber(ms) end
  end
  return seq + 1
end
`;

// KEYS: meta, stream pairs, one per Worker stream. ARGV: retention, a candidate base unique to this
// run, then per stream: known epoch (with known head -1: the fresh start to install), known head,
// count, payloads. A stream that needs a new epoch gets `<base>_<n>`. Appends each stream's payloads in
// order, the sequence as entry id and the epoch as the only field name: identical field names cost
// nothing in a stream node, and a reader can never attribute an entry to the wrong epoch. The head
// moves only by what was stored. Returns per stream `first, epoch` when every payload was stored, else
// `-first, epoch ('' when the stream is unusable), stored`.
export const PUBLISH = `${HELPERS}
local out, a, n, retention, base = {}, 3, 0, ARGV[1], ARGV[2]
for k = 1, #KEYS, 2 do
  local meta, stream = KEYS[k], KEYS[k + 1]
  local known, head, count = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local p = a + 3
  a = p + count
  n = n + 1
  local epoch, seq
  if head == -1 then epoch, seq = settle(meta, stream, known, '', -1)
  else epoch, seq = settle(meta, stream, base .. '_' .. n, known, head) end
  local stored = 0
  if epoch then
    local r = redis.pcall('XADD', stream, 'MAXLEN', '~', retention, (seq + 1) .. '-0', epoch, ARGV[p])
    if failed(r) then
      trimBeyond(stream, seq)
      r = redis.pcall('XADD', stream, 'MAXLEN', '~', retention, (seq + 1) .. '-0', epoch, ARGV[p])
    end
    if not failed(r) then
      stored = 1
      for i = 1, count - 1 do
        if failed(redis.pcall('XADD', stream, 'MAXLEN', '~', retention, (seq + 1 + i) .. '-0', epoch, ARGV[p + i])) then break end
        stored = stored + 1
      end
      redis.call('HSET', meta, 'seq', seq + stored)
    end
  end
  if stored == count then
    out[#out + 1], out[#out + 2] = seq + 1, epoch
  else
    out[#out + 1], out[#out + 2], out[#out + 3] = -((seq or 0) + 1), epoch or '', stored
  end
end
return out
`;

// KEYS: meta, stream pairs. ARGV per stream: candidate epoch, known epoch, known head. Returns epoch
// ('' when a key holds another type: the stream is unusable), head and oldest held sequence per stream.
export const META = `${HELPERS}
local out = {}
for k = 1, #KEYS, 2 do
  local a = (k - 1) / 2 * 3 + 1
  local epoch, seq = settle(KEYS[k], KEYS[k + 1], ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]))
  local first = 0
  if epoch and trimBeyond(KEYS[k + 1], seq) then first = firstSlot(KEYS[k + 1], seq) else epoch = nil end
  out[#out + 1], out[#out + 2], out[#out + 3] = epoch or '', seq or 0, first
end
return out
`;

// KEYS: meta, stream. ARGV: from, to, count. The stream's epoch, head, oldest sequence and the entries,
// in one atomic read.
export const RANGE = `${HELPERS}
local got = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not got[1] then return {false, 0, 0, {}} end
local head = tonumber(got[2]) or 0
return {got[1], head, firstSlot(KEYS[2], head), redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[2], 'COUNT', ARGV[3])}
`;

// KEYS: meta, stream. ARGV: the removal's token. A stream already begun again under that token belongs
// to the new Worker and stays.
export const DROP = `
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;
