// A child process whose resident memory follows a known shape, for the doctor's live tests:
//   leak --mb-per-minute R         grows by R MB (10^6 bytes) a minute, never frees (native memory)
//   managed-leak --mb-per-minute R grows its GC heap by R MB a minute: arrays it keeps referenced
//   steady --mb M                  takes M MB at once and holds it
//   plateau --mb M --seconds S     grows evenly to M MB over S seconds, then holds (warm-up then plateau)
//   sawtooth --mb M --period S     grows evenly to M MB over S seconds, frees it all, again (like a GC heap)
// Every mode takes --lifetime SECONDS (default 300) and exits by itself after it, so nothing is left behind.
// It prints "pid N" and then "ready" once the first step has been taken.
using Opsmon.TestLeaker;

return await Leaker.RunAsync(args);
