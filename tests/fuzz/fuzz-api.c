// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the API's request handling (vmm/api.c: the route
 * table, the body parser and its field checks, every handler) and GET
 * /board's map (vmm/board-json.c), on the pc board's generated tables,
 * without a socket: api_handle() is what libmicrohttpd's callback calls
 * with the method, the path and the body it has read.
 *
 * The input is a program of requests separated by NUL bytes, each one
 * "METHOD PATH\nBODY" (no newline: no body; a zero-length body is given
 * as NULL, as the HTTP side gives it), so the seeds are readable: the
 * requests tests/vmm/api.sh sends (tests/fuzz/device-seeds.sh api writes
 * them). State carries from one request to the next, as on a socket:
 * configuration, drive slots, InstanceStart; after a successful
 * InstanceStart the harness does what main does, attaching a fake VM
 * (no vCPUs, the requested RAM size), so pause, resume, stats, trace and
 * the refusals after start are reached too. Every input starts from a
 * fresh API (its statics reset: api.c is included here for that).
 *
 * What would touch the host is stubbed: the logger and metrics files,
 * the trace switch, console backends, the VM's pause and power button,
 * the devices' host events, the stats. Every
 * response is checked: a status of 200, 204 or 400 (500 only for out of
 * memory), a body that is JSON (400s: an object with a fault_message
 * string), no body on 204.
 */
#include "../../vmm/api.c"

#include <stdio.h>

#include "board.h"
#include "guest-ram.h"
#include "instances.h"
#include "pci-remap.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_REQUESTS	64

/* --- stubs for what the API drives ------------------------------------- */

struct device machine_devices[BOARD_NR_DEVICES];
static bool fake_paused;

int log_configure(const char *path, const char *level, char *err,
		  size_t size)
{
	static const char *const levels[] = {
		"Error", "Warning", "Info", "Debug", "Trace", "Off",
	};

	if (!level)
		return 0;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(level, levels[i]))
			return 0;
	snprintf(err, size, "level '%s': expected Error, Warning, Info, "
		 "Debug or Trace", level);
	return -1;
}

int metrics_open(const char *path, unsigned interval_ms, char *err,
		 size_t size)
{
	return 0;
}

int metrics_flush(char *err, size_t size)
{
	return 0;
}

int trace_configure(struct vm *vm, bool on, const char *names, bool json,
		    char *err, size_t size)
{
	return 0;
}

bool trace_json(void)
{
	return false;
}

unsigned console_backend_count(void)
{
	return 0;
}

const struct console_backend *console_backend_get(unsigned i)
{
	return NULL;
}

const char *console_kind_name(enum console_kind kind)
{
	return "stdio";
}

struct json_object *stats_to_json(struct vm *vm, bool all)
{
	return json_object_new_object();
}

void vm_pause(struct vm *vm)
{
	fake_paused = true;
}

void vm_resume(struct vm *vm)
{
	fake_paused = false;
}

bool vm_is_paused(struct vm *vm)
{
	return fake_paused;
}

/* No guest listens to the power button, no keyboard takes the keys. */
bool vm_shutdown(struct vm *vm)
{
	return false;
}

bool machine_host_event(enum host_event event)
{
	return false;
}

bool pci_remap_where(unsigned index, uint64_t *base)
{
	*base = board_devices[index].mmio_base;
	return true;
}

/* --- the harness -------------------------------------------------------- */

static struct vm_options fake_opts;
static struct vm fake_vm = { .opts = &fake_opts };

static void api_fresh(void)
{
	free(api_cfg.kernel);
	free(api_cfg.initrd);
	free(api_cfg.boot_args);
	for (unsigned i = 0; i < api_cfg.nr_drives; i++)
		free(api_cfg.drives[i].path);
	memset(&api_cfg, 0, sizeof(api_cfg));
	api_state = API_NOT_STARTED;
	api_start_requested = false;
	api_vm = NULL;
	fake_paused = false;
	api_init(NULL, 0, 0);
}

/* What main does once InstanceStart is accepted: boot, attach. */
static void fake_boot(void)
{
	if (!api_start_requested || api_vm)
		return;
	api_state = API_RUNNING;
	fake_opts.mem = api_cfg.mem ? api_cfg.mem : board_info.ram_default;
	fake_vm.nr_vcpus = api_cfg.vcpus ? api_cfg.vcpus :
			   board_info.cpus_default;
	api_vm = &fake_vm;
}

static void check_response(const char *method, const char *path,
			   const struct api_response *res)
{
	struct json_object *o, *msg;

	if (res->status == 204) {
		if (res->body)
			goto bad;
		return;
	}
	if ((res->status != 200 && res->status != 400 && res->status != 500) ||
	    !res->body)
		goto bad;
	o = json_tokener_parse(res->body);
	if (!o)
		goto bad;
	if (res->status != 200 &&
	    (!json_object_object_get_ex(o, "fault_message", &msg) ||
	     !json_object_is_type(msg, json_type_string))) {
		json_object_put(o);
		goto bad;
	}
	json_object_put(o);
	return;
bad:
	fprintf(stderr, "fuzz-api: %s %s: status %u, body %s\n", method, path,
		res->status, res->body ? res->body : "(none)");
	abort();
}

/* One "METHOD PATH\nBODY" record. */
static void run_request(const char *rec, size_t len)
{
	const char *nl = memchr(rec, '\n', len);
	size_t head = nl ? (size_t)(nl - rec) : len;
	size_t body_len = nl ? len - head - 1 : 0;
	char *line = strndup(rec, head), *sp;
	/* Exactly the body's bytes, no NUL after them: ASan sees overreads. */
	char *body = malloc(body_len + !body_len);
	struct api_response res;

	if (!line || !body) {
		free(line);
		free(body);
		return;
	}
	if (body_len)
		memcpy(body, nl + 1, body_len);
	sp = strchr(line, ' ');
	if (sp)
		*sp = 0;
	api_handle(line, sp ? sp + 1 : "", body_len ? body : NULL, body_len,
		   &res);
	check_response(line, sp ? sp + 1 : "", &res);
	api_response_free(&res);
	free(body);
	free(line);
	fake_boot();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	unsigned n = 0;

	api_fresh();
	while (p < end && n++ < FUZZ_MAX_REQUESTS) {
		const char *nul = memchr(p, 0, (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		run_request(p, len);
		p += len + 1;
	}
	api_fresh();
	return 0;
}
