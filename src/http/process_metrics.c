#include "http/process_metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/version.h"

static double start_time;

/* The process's start from /proc/self/stat (field 22, clock ticks after
 * boot) and the boot time from /proc/stat; the current time when either
 * cannot be read. */
void process_metrics_init(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    FILE *f = fopen("/proc/self/stat", "r");
    char line[1024];
    unsigned long long starttime = 0;
    if (f && fgets(line, sizeof line, f)) {
        const char *p = strrchr(line, ')'); /* the command may hold spaces */
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
                               "%*d %*d %*d %llu", &starttime) != 1)
            starttime = 0;
    }
    if (f)
        fclose(f);
    unsigned long long btime = 0;
    f = fopen("/proc/stat", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "btime %llu", &btime) == 1)
            break;
    if (f)
        fclose(f);
    long ticks = sysconf(_SC_CLK_TCK);
    if (starttime && btime && ticks > 0)
        start_time = (double)btime + (double)starttime / (double)ticks;
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

void process_metrics_render(buf *out)
{
    buf_printf(out, "# HELP mam_build_info The running build: version and commit.\n"
                    "# TYPE mam_build_info gauge\n"
                    "mam_build_info{version=\"%s\",commit=\"%s\"} 1\n",
               mam_version, mam_commit);
    double cpu = 0;
    long rss_pages = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    char line[1024];
    if (f && fgets(line, sizeof line, f)) {
        const char *p = strrchr(line, ')');
        unsigned long utime = 0, stime = 0;
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                        &stime) == 2)
            cpu = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    }
    if (f)
        fclose(f);
    f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%*s %ld", &rss_pages) != 1)
        rss_pages = 0;
    if (f)
        fclose(f);
    struct rlimit nofile = {0, 0};
    getrlimit(RLIMIT_NOFILE, &nofile);
    buf_printf(out,
               "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
               "# TYPE process_cpu_seconds_total counter\n"
               "process_cpu_seconds_total %.2f\n"
               "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
               "# TYPE process_resident_memory_bytes gauge\n"
               "process_resident_memory_bytes %ld\n"
               "# HELP process_open_fds Number of open file descriptors.\n"
               "# TYPE process_open_fds gauge\n"
               "process_open_fds %d\n"
               "# HELP process_max_fds Maximum number of open file descriptors.\n"
               "# TYPE process_max_fds gauge\n"
               "process_max_fds %llu\n"
               "# HELP process_start_time_seconds Start time of the process since unix epoch in "
               "seconds.\n"
               "# TYPE process_start_time_seconds gauge\n"
               "process_start_time_seconds %.2f\n",
               cpu, rss_pages * sysconf(_SC_PAGESIZE), open_fds(),
               (unsigned long long)nofile.rlim_cur, start_time);
}
