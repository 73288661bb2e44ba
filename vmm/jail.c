// SPDX-License-Identifier: MIT
/*
 * The jailer (jail.h). In order, as root:
 *
 *   unshare mount, PID, IPC, UTS and network namespaces; fork: the child
 *   is PID 1 of the new PID namespace and becomes the VMM, the parent
 *   waits for it, passes on SIGTERM, SIGHUP and SIGINT, and exits with
 *   its status;
 *   child: every mount private; a fresh tmpfs on DIR (what DIR held is
 *   not visible); each file the VM needs bound at its own path inside it
 *   (read-only unless it is a writable disk), /dev/kvm created there for
 *   U:G; the current directory made there too, so relative paths still
 *   work; the cgroup joined (--jail-cgroup); pivot_root into it, the old
 *   root detached, the new root read-only;
 *   rlimits: open files (JAIL_NOFILE), file size (the largest disk);
 *   every capability out of the bounding and ambient sets, no_new_privs,
 *   no supplementary groups, then U:G for real, effective and saved IDs
 *   (which empties the permitted and effective capability sets).
 *
 * There is no /proc, no /sys, no network device but a loopback that is
 * down, nothing to exec. A tap device, once boardvm has one, would keep
 * the host's network namespace.
 */
#define _GNU_SOURCE		/* unshare(), setresuid() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "jail.h"
#include "vmm.h"

#define JAIL_NOFILE		1024	/* vCPUs, eventfds, disks, consoles */
#define KVM_MAJOR		10
#define KVM_MINOR		232
#define CGROUP_ROOT		"/sys/fs/cgroup"

static int parse_id(const char *opt, const char *arg, unsigned *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v >= (unsigned long)UINT_MAX) {
		fprintf(stderr, "boardvm: %s '%s': expected a numeric ID, e.g. "
			"%s 65534\n", opt, arg, opt);
		return -1;
	}
	*id = v;
	return 0;
}

int jail_option(struct jail_request *j, enum jail_option opt, const char *arg)
{
	unsigned id;

	switch (opt) {
	case JAIL_OPT_DIR:
		j->dir = arg;
		return 0;
	case JAIL_OPT_UID:
		if (parse_id("--uid", arg, &id) < 0)
			return -1;
		j->uid = id;
		j->has_uid = true;
		return 0;
	case JAIL_OPT_GID:
		if (parse_id("--gid", arg, &id) < 0)
			return -1;
		j->gid = id;
		j->has_gid = true;
		return 0;
	case JAIL_OPT_CGROUP:
		j->cgroup = arg;
		return 0;
	case JAIL_OPT_SELFTEST:
		j->selftest = true;
		return 0;
	}
	return -1;
}

int jail_options_check(const struct jail_request *j)
{
	if (!j->dir && (j->has_uid || j->has_gid || j->cgroup || j->selftest)) {
		fprintf(stderr, "boardvm: --uid, --gid, --jail-cgroup and "
			"--jail-selftest need --jail DIR\n");
		return -1;
	}
	if (j->dir && (!j->has_uid || !j->has_gid)) {
		fprintf(stderr, "boardvm: --jail %s needs --uid and --gid (the "
			"user the VMM runs as, e.g. --uid 65534 --gid 65534)\n",
			j->dir);
		return -1;
	}
	return 0;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "boardvm: --jail: %s%s%s: %s\n", what,
		path ? " " : "", path ? path : "", strerror(errno));
	return -1;
}

/* mkdir -p for every directory above `path` (which is absolute). */
static int make_parents(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* DIR + the path as the VMM will open it (relative: from `cwd`). */
static int jail_path(char *buf, size_t len, const char *dir, const char *cwd,
		     const char *path)
{
	int n = path[0] == '/' ? snprintf(buf, len, "%s%s", dir, path)
			       : snprintf(buf, len, "%s%s/%s", dir, cwd, path);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* One file, bound at its own path in the jail; read-only unless written. */
static int bind_file(const char *dir, const char *cwd,
		     const struct jail_file *f)
{
	char target[PATH_MAX];
	int fd;

	if (jail_path(target, sizeof(target), dir, cwd, f->path) < 0 ||
	    make_parents(target) < 0)
		return fail("cannot make the directories of", f->path);
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("cannot make the mount point of", f->path);
	close(fd);
	if (mount(f->path, target, NULL, MS_BIND, NULL) < 0)
		return fail("cannot bind", f->path);
	if (!f->writable &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		  MS_NOSUID | MS_NODEV, NULL) < 0)
		return fail("cannot make read-only", f->path);
	return 0;
}

/* /dev/kvm of the jail: the KVM device node, for U:G only. */
static int make_kvm(const char *dir, const struct jail_request *j)
{
	char path[PATH_MAX];

	if (jail_path(path, sizeof(path), dir, "", "/dev/kvm") < 0 ||
	    make_parents(path) < 0 ||
	    mknod(path, S_IFCHR | 0600, makedev(KVM_MAJOR, KVM_MINOR)) < 0 ||
	    chown(path, j->uid, j->gid) < 0)
		return fail("cannot create", "/dev/kvm");
	return 0;
}

static int join_cgroup(const char *cgroup)
{
	char path[PATH_MAX];
	int fd, ok;

	snprintf(path, sizeof(path), CGROUP_ROOT "/%s", cgroup);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail("cannot create the cgroup", path);
	snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cgroup.procs", cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("cannot open", path);
	ok = write(fd, "0", 1) == 1;	/* "0": the writing process */
	close(fd);
	return ok ? 0 : fail("cannot join the cgroup", path);
}

/* The fresh root: tmpfs on DIR, the files, /dev/kvm, the working directory. */
static int build_root(const struct jail_request *j,
		      const struct jail_file *files, unsigned nr,
		      const char *cwd)
{
	char path[PATH_MAX];

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("cannot make the mounts private", NULL);
	if (mount("boardvm-jail", j->dir, "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=1m") < 0)
		return fail("cannot mount a tmpfs on", j->dir);
	for (unsigned i = 0; i < nr; i++)
		if (files[i].path && bind_file(j->dir, cwd, &files[i]) < 0)
			return -1;
	if (make_kvm(j->dir, j) < 0)
		return -1;
	if (jail_path(path, sizeof(path), j->dir, "", cwd) < 0 ||
	    make_parents(path) < 0 || (mkdir(path, 0755) < 0 && errno != EEXIST))
		return fail("cannot make the working directory", cwd);
	return 0;
}

static int pivot(const char *dir, const char *cwd)
{
	if (chdir(dir) < 0 || mkdir("old-root", 0700) < 0)
		return fail("cannot prepare pivot_root in", dir);
	if (syscall(SYS_pivot_root, ".", "old-root") < 0)
		return fail("pivot_root into", dir);
	if (chdir("/") < 0 || umount2("/old-root", MNT_DETACH) < 0 ||
	    rmdir("/old-root") < 0)
		return fail("cannot detach the host's root", NULL);
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		  MS_NOSUID | MS_NOEXEC, NULL) < 0)
		return fail("cannot make the jail's root read-only", NULL);
	if (chdir(cwd) < 0)
		return fail("cannot enter", cwd);
	return 0;
}

static int set_limits(uint64_t max_file_size)
{
	struct rlimit nofile = { JAIL_NOFILE, JAIL_NOFILE };
	struct rlimit fsize = { max_file_size, max_file_size };

	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		return fail("setrlimit RLIMIT_NOFILE", NULL);
	/* No file grows past the largest disk: EFBIG, not SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &fsize) < 0)
		return fail("setrlimit RLIMIT_FSIZE", NULL);
	return 0;
}

static int drop_privileges(const struct jail_request *j)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap) < 0)
			return fail("cannot drop a capability", NULL);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return fail("cannot clear the ambient capabilities", NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("PR_SET_NO_NEW_PRIVS", NULL);
	if (setgroups(0, NULL) < 0 || setresgid(j->gid, j->gid, j->gid) < 0 ||
	    setresuid(j->uid, j->uid, j->uid) < 0)
		return fail("cannot become the --uid/--gid", NULL);
	return 0;
}

/* --jail-selftest: what the jailed VMM can see and do, on stderr. */
static void selftest(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2] = { 0 };
	struct dirent *e;
	DIR *d = opendir("/");

	fprintf(stderr, "jail: pid %d uid %u gid %u\n", (int)getpid(),
		(unsigned)getuid(), (unsigned)getgid());
	fprintf(stderr, "jail: / holds:");
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			fprintf(stderr, " %s", e->d_name);
	fprintf(stderr, "\n");
	if (d)
		closedir(d);
	fprintf(stderr, "jail: open /etc/passwd: %s\n",
		open("/etc/passwd", O_RDONLY) < 0 ? strerror(errno) : "opened");
	fprintf(stderr, "jail: setuid(0): %s\n",
		setuid(0) < 0 ? strerror(errno) : "succeeded");
	syscall(SYS_capget, &hdr, caps);
	fprintf(stderr, "jail: capabilities: effective %#x permitted %#x\n",
		caps[0].effective | caps[1].effective,
		caps[0].permitted | caps[1].permitted);
	fprintf(stderr, "jail: no_new_privs %d\n",
		prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* The parent: pass on the stop signals, then exit as the VMM did. */
static int jailed_child;

static void forward_signal(int sig)
{
	kill(jailed_child, sig);
}

static void wait_for_jailed(pid_t child)
{
	static const int forwarded[] = { SIGTERM, SIGHUP, SIGINT };
	struct sigaction sa = { .sa_handler = forward_signal };
	sigset_t set;
	int status;

	jailed_child = child;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (unsigned i = 0; i < 3; i++) {
		sigaction(forwarded[i], &sa, NULL);
		sigaddset(&set, forwarded[i]);
	}
	signal(SIGQUIT, SIG_IGN);	/* the terminal sends it to both */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(VMM_EXIT_SETUP);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status)
				: VMM_EXIT_SIGNAL + WTERMSIG(status));
}

static int jail_check(const struct jail_request *j)
{
	struct stat st;

	errno = 0;
	if (stat(j->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "boardvm: --jail %s: %s\n", j->dir,
			errno && !S_ISDIR(st.st_mode) ? strerror(errno)
						      : "not a directory");
		return -1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "boardvm: --jail needs root (it creates "
			"namespaces, mounts, /dev/kvm, then drops to --uid "
			"%u)\n", (unsigned)j->uid);
		return -1;
	}
	return 0;
}

int jail_enter(const struct jail_request *j, const struct jail_file *files,
	       unsigned nr_files, uint64_t max_file_size)
{
	char cwd[PATH_MAX];
	pid_t child;

	if (jail_check(j) < 0)
		return -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return fail("getcwd", NULL);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWNET) < 0)
		return fail("cannot create namespaces (unshare)", NULL);
	fflush(NULL);
	child = fork();
	if (child < 0)
		return fail("fork", NULL);
	if (child > 0)
		wait_for_jailed(child);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
	    build_root(j, files, nr_files, cwd) < 0 ||
	    (j->cgroup && join_cgroup(j->cgroup) < 0) ||
	    pivot(j->dir, cwd) < 0 || set_limits(max_file_size) < 0 ||
	    drop_privileges(j) < 0)
		return -1;
	if (j->selftest)
		selftest();
	return 0;
}
