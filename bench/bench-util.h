/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Small helpers shared by the benchmark programs.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double
bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process's resident memory in KiB (VmRSS), -1 if unknown. */
static inline long
bench_rss_kb (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  long kb = -1;

  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    if (strncmp (line, "VmRSS:", 6) == 0)
      {
        kb = strtol (line + 6, NULL, 10);
        break;
      }
  fclose (f);
  return kb;
}
