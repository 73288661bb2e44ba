/* SPDX-License-Identifier: MIT */
/*
 * The jailer (--jail DIR --uid U --gid G, vmm/jail.c, docs/security.md):
 * before the VM is built, boardvm moves into new mount, PID, IPC, UTS and
 * network namespaces, pivots into a fresh tmpfs mounted on DIR that holds
 * only the files the VM needs (bound at the paths the command line gave)
 * and a /dev/kvm of its own, sets its rlimits, joins a cgroup v2 when
 * asked, drops every capability, sets no_new_privs and becomes U:G. All of
 * it happens before the first guest instruction and before the seccomp
 * filter, which then goes in as usual.
 */
#ifndef BOARDVM_JAIL_H
#define BOARDVM_JAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct jail_request {
	const char *dir;		/* --jail DIR; NULL: no jail */
	uid_t uid;
	gid_t gid;
	bool has_uid, has_gid;
	const char *cgroup;		/* --jail-cgroup, under /sys/fs/cgroup */
	bool selftest;			/* --jail-selftest: probe, then run */
};

/* A host file the jailed VMM opens: bound into the jail at its path. */
struct jail_file {
	const char *path;
	bool writable;
};

/* The jail's options, in this order after the VMM's first jail option. */
enum jail_option {
	JAIL_OPT_DIR,			/* --jail DIR */
	JAIL_OPT_UID,			/* --uid U */
	JAIL_OPT_GID,			/* --gid G */
	JAIL_OPT_CGROUP,		/* --jail-cgroup PATH */
	JAIL_OPT_SELFTEST,		/* --jail-selftest */
};

/* One option into `j`; 0, or -1 with a message. */
int jail_option(struct jail_request *j, enum jail_option opt, const char *arg);

/* After every option: --jail needs --uid and --gid. 0 or -1 (message). */
int jail_options_check(const struct jail_request *j);

/*
 * Enter the jail. Returns 0 in the jailed VMM (PID 1 of its namespace),
 * -1 with a message when the jail cannot be built. The process that
 * called it waits for the jailed one and exits with its status; it never
 * returns.
 */
int jail_enter(const struct jail_request *j, const struct jail_file *files,
	       unsigned nr_files, uint64_t max_file_size);

#endif
