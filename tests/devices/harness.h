/* SPDX-License-Identifier: MIT */
/*
 * Device tests without KVM: a fake environment (recorded irq levels, a
 * virtual clock, console pipes, recorded exit requests) and port/MMIO
 * accessors that go through the real dispatch code and generated tables.
 *
 * Each test runs on a freshly created machine and prints one line:
 * PASS <name> or FAIL <name>: <first failed check>.
 */
#ifndef BOARDVM_TESTS_DEVICES_HARNESS_H
#define BOARDVM_TESTS_DEVICES_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "dispatch.h"

#define FAKE_NR_GSI	256

struct fake_env {
	int level[FAKE_NR_GSI];		/* current level per gsi */
	unsigned raises[FAKE_NR_GSI];	/* 0 -> 1 transitions */
	unsigned sets[FAKE_NR_GSI];	/* calls of set_level */
	uint64_t now_ns;		/* the virtual clock */
	unsigned exits;			/* request_exit calls */
	enum host_exit_reason exit_why;
	int exit_status;
	int console_in[2];		/* test writes [1], UART reads [0] */
	int console_out[2];		/* UART writes [1], test reads [0] */
	struct region_stats stats[BOARD_NR_REGIONS];
	struct dispatch_ctx ctx;
};

extern struct fake_env fake;

struct test {
	const char *name;
	void (*run)(void);
};

/* Run every test of `tests` (NULL-terminated); returns 0 if all passed. */
int tests_run(const struct test *tests);

/* Record a failed check (only the first one of a test is reported). */
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool test_failed(void);

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ(got, want)						\
	do {								\
		unsigned long long g_ = (got), w_ = (want);		\
		if (g_ != w_)						\
			test_fail(__FILE__, __LINE__,			\
				  "%s is 0x%llx, expected 0x%llx",	\
				  #got, g_, w_);			\
	} while (0)

/*
 * The index in board_regions of the region named `name` ("com1.regs"),
 * which must exist (board.h names devices, not regions).
 */
unsigned region_named(const char *name);

/* Accessors through dispatch_pio/dispatch_mmio with the test's ctx. */
uint64_t pio_in(uint16_t port, unsigned len);
void pio_out(uint16_t port, uint64_t value, unsigned len);
uint64_t mmio_in(uint64_t addr, unsigned len);
void mmio_out(uint64_t addr, uint64_t value, unsigned len);

static inline uint8_t inb(uint16_t port) { return pio_in(port, 1); }
static inline void outb(uint16_t port, uint8_t v) { pio_out(port, v, 1); }
static inline uint32_t inl(uint16_t port) { return pio_in(port, 4); }
static inline void outl(uint16_t port, uint32_t v) { pio_out(port, v, 4); }

void clock_advance(uint64_t ns);
/* Destroy the machine and create it again with another console_in fd. */
int machine_recreate(int console_in);
struct device *dev_by_index(unsigned index);
/* The fake host devices get: a test may add services (pci_bar_update). */
struct device_host *harness_host(void);

/* Bytes the console UART has written so far (NUL-terminated, drained). */
size_t console_read(char *buf, size_t size);
void console_type(const char *text);
void console_close_input(void);

/*
 * Capture what the code under test prints on stderr between the two calls
 * (the unmapped-access log). stderr_end() returns a static buffer.
 */
void stderr_begin(void);
const char *stderr_end(void);

#endif
