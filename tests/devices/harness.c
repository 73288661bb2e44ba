// SPDX-License-Identifier: MIT
/*
 * The fake environment and the test runner shared by the device suites.
 * Built once per board (it sizes its tables from that board's board.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

struct fake_env fake;

static const char *current_test;
static unsigned current_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (current_failures++)
		return;
	printf("FAIL %s: %s:%d: ", current_test, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

bool test_failed(void)
{
	return current_failures;
}

static void fake_set_level(struct irq_line *line, int level)
{
	struct fake_env *env = line->opaque;
	unsigned gsi = line->gsi;

	if (gsi >= FAKE_NR_GSI)
		return;
	env->sets[gsi]++;
	if (level && !env->level[gsi])
		env->raises[gsi]++;
	env->level[gsi] = level;
}

static uint64_t fake_now(struct vclock *clock)
{
	return ((struct fake_env *)clock->opaque)->now_ns;
}

static void fake_request_exit(struct device_host *host,
			      enum host_exit_reason why, int status)
{
	struct fake_env *env = host->opaque;

	env->exits++;
	env->exit_why = why;
	env->exit_status = status;
}

static struct vclock fake_clock = { .now_ns = fake_now, .opaque = &fake };
static struct device_host fake_host = {
	.request_exit = fake_request_exit,
	.device = machine_device,
	.opaque = &fake,
};
static const struct machine_env fake_machine = {
	.host = &fake_host,
	.clock = &fake_clock,
	.irq_set_level = fake_set_level,
	.irq_opaque = &fake,
};

void clock_advance(uint64_t ns)
{
	fake.now_ns += ns;
}

int machine_recreate(int console_in)
{
	machine_devices_destroy();
	fake_host.console_in = console_in;
	return machine_devices_create(&fake_machine);
}

struct device_host *harness_host(void)
{
	return &fake_host;
}

struct device *dev_by_index(unsigned index)
{
	return &machine_devices[index];
}

static void pipe_or_die(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("tests/devices: pipe2");
		exit(2);
	}
}

static void fake_setup(void)
{
	memset(&fake, 0, sizeof(fake));
	/* A clock that does not start at 0 catches unsigned slips. */
	fake.now_ns = 1000000000000ull;
	pipe_or_die(fake.console_in);
	pipe_or_die(fake.console_out);
	fake_host.console_in = fake.console_in[0];
	fake_host.console_out = fake.console_out[1];
	fake.ctx.vcpu = 0;
	fake.ctx.stats = fake.stats;
}

static void fake_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void fake_teardown(void)
{
	fake_close(&fake.console_in[0]);
	fake_close(&fake.console_in[1]);
	fake_close(&fake.console_out[0]);
	fake_close(&fake.console_out[1]);
}

size_t console_read(char *buf, size_t size)
{
	ssize_t n = read(fake.console_out[0], buf, size - 1);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return n;
}

void console_type(const char *text)
{
	if (write(fake.console_in[1], text, strlen(text)) < 0)
		test_fail(__FILE__, __LINE__, "console pipe: %s",
			  strerror(errno));
}

void console_close_input(void)
{
	fake_close(&fake.console_in[1]);
}

uint64_t pio_in(uint16_t port, unsigned len)
{
	uint8_t data[8];

	dispatch_pio(&fake.ctx, port, data, len, false);
	return device_data_get(data, len);
}

unsigned region_named(const char *name)
{
	for (unsigned i = 1; i < board_info.nr_regions; i++)
		if (!strcmp(board_regions[i].name, name))
			return i;
	fprintf(stderr, "%s: no region %s on board %s\n", __FILE__, name,
		board_info.name);
	abort();
}

void pio_out(uint16_t port, uint64_t value, unsigned len)
{
	uint8_t data[8];

	device_data_put(data, len, value);
	dispatch_pio(&fake.ctx, port, data, len, true);
}

uint64_t mmio_in(uint64_t addr, unsigned len)
{
	uint8_t data[8];

	dispatch_mmio(&fake.ctx, addr, data, len, false);
	return device_data_get(data, len);
}

void mmio_out(uint64_t addr, uint64_t value, unsigned len)
{
	uint8_t data[8];

	device_data_put(data, len, value);
	dispatch_mmio(&fake.ctx, addr, data, len, true);
}

static FILE *captured;
static int saved_stderr = -1;

void stderr_begin(void)
{
	fflush(stderr);
	captured = tmpfile();
	if (!captured) {
		perror("tests/devices: tmpfile");
		exit(2);
	}
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
}

const char *stderr_end(void)
{
	static char text[4096];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	fclose(captured);
	return text;
}

int tests_run(const struct test *tests)
{
	unsigned failed = 0;

	for (const struct test *t = tests; t->name; t++) {
		current_test = t->name;
		current_failures = 0;
		fake_setup();
		if (machine_devices_create(&fake_machine) < 0) {
			printf("FAIL %s: machine_devices_create failed\n",
			       t->name);
			failed++;
			fake_teardown();
			continue;
		}
		t->run();
		machine_devices_destroy();
		fake_teardown();
		if (current_failures)
			failed++;
		else
			printf("PASS %s\n", t->name);
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
