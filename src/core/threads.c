/*
 * threads.c — how many threads a job runs on: what the user asked
 * (--threads N), or the machine's online cores, within 1..SD_THREADS_MAX.
 * Used by the engine's pass over the rows and by the CSV reader.
 */
#include "core.h"

#include <unistd.h>

size_t sd__thread_count(int asked)
{
    long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > (long)SD_THREADS_MAX ? SD_THREADS_MAX : (size_t)n;
}
