// SPDX-License-Identifier: MIT
/*
 * The API: Firecracker's requests that make sense for a board-built VM,
 * answered as Firecracker answers them (204 with no body on success, 200
 * with JSON for a GET, 400 with {"fault_message": "..."} for a request it
 * refuses), plus boardvm's own paths under /board.
 *
 *   GET  /                        id, state, version (+ "boardvm": board, consoles)
 *   PUT  /boot-source             kernel_image_path, boot_args, initrd_path
 *   PUT  /drives/{id}             the board's next virtio-blk device
 *   PUT  /network-interfaces/{id} refused: no network device model yet
 *   PUT  /vsock                   refused: no vsock device model yet
 *   GET|PUT|PATCH /machine-config vcpu_count, mem_size_mib within the board
 *   PUT  /actions                 InstanceStart, SendCtrlAltDel, FlushMetrics
 *   PATCH /vm                     {"state": "Paused" | "Resumed"}
 *   PUT  /logger, PUT /metrics    log and metrics destinations
 *   GET  /board                   the live map (boardc map --format json)
 *   GET  /board/stats             every region's counters, suggestions
 *   PUT  /board/trace             the I/O trace on or off, by name
 *   PUT  /board/shutdown          press the ACPI power button (as SIGTERM)
 *
 * JSON bodies are parsed by json-c; a request's fields are checked against
 * a table (name, type, required), so an unknown field, a wrong type or a
 * missing field is refused with its name, as Firecracker's deny-unknown-
 * fields deserializer does. Pre-boot requests after InstanceStart get
 * Firecracker's "not supported after starting" refusal.
 *
 * Concurrency: one lock (api_lock) around every request, so requests are
 * handled one at a time, whatever thread serves them; main's
 * api_detach_vm() takes it too, so no request sees a VM being destroyed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "api.h"
#include "board-json.h"
#include "console-backend.h"
#include "log.h"
#include "metrics.h"
#include "ram-layout.h"
#include "trace.h"
#include "vmm.h"

#ifndef BOARDVM_VERSION
#define BOARDVM_VERSION		"0.1"
#endif

#define MIB			(1024ull * 1024)

enum api_state { API_NOT_STARTED, API_STARTING, API_RUNNING };

static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;
static enum api_state api_state;
static bool api_start_requested;
static struct api_config api_cfg;
static struct vm *api_vm;
static char api_id[64] = "anonymous-instance";

/* --- responses ----------------------------------------------------------- */

static void reply_json(struct api_response *res, unsigned status,
		       struct json_object *o)
{
	res->status = status;
	res->body = strdup(json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void reply_none(struct api_response *res)
{
	res->status = 204;
	res->body = NULL;
}

static void __attribute__((format(printf, 3, 4)))
reply_fault(struct api_response *res, unsigned status, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "fault_message", json_object_new_string(msg));
	reply_json(res, status, o);
}

void api_response_free(struct api_response *res)
{
	free(res->body);
	res->body = NULL;
}

/* --- request bodies ---------------------------------------------------- */

struct api_field {
	const char *name;
	enum json_type type;		/* json_type_null: any */
	bool required;
};

static const char *json_type_word(enum json_type t)
{
	switch (t) {
	case json_type_boolean:
		return "a boolean";
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	default:
		return "null";
	}
}

/*
 * The body as an object whose fields are all in `fields`, of their
 * types, the required ones present. NULL after a 400 reply.
 */
static struct json_object *body_parse(const char *body, size_t len,
				      const struct api_field *fields,
				      struct api_response *res)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	enum json_tokener_error err;

	if (!tok) {
		reply_fault(res, 500, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, body ? body : "", (int)len);
	err = json_tokener_get_error(tok);
	if (!o && err == json_tokener_continue)
		err = json_tokener_error_parse_eof;
	if (o && tok->char_offset < (int)len &&
	    strspn(body + tok->char_offset, " \t\r\n") !=
	    len - tok->char_offset) {
		json_object_put(o);
		o = NULL;
		err = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);
	if (!o) {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: %s.",
			    len ? json_tokener_error_desc(err) : "empty body");
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: expected an object, got "
			    "%s.", json_type_word(json_object_get_type(o)));
		goto err;
	}
	json_object_object_foreach(o, key, val) {
		const struct api_field *f = fields;
		enum json_type t = json_object_get_type(val);

		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name) {
			char known[512];
			size_t at = 0;

			known[0] = 0;
			for (f = fields; f->name && at < sizeof(known); f++)
				at += snprintf(known + at, sizeof(known) - at,
					       "%s`%s`", at ? ", " : "",
					       f->name);
			reply_fault(res, 400, "An error occurred when "
				    "deserializing the json body of a request: "
				    "unknown field `%s`, expected one of %s.",
				    key, known);
			goto err;
		}
		if (f->type != json_type_null && t != f->type &&
		    !(f->type == json_type_double && t == json_type_int)) {
			reply_fault(res, 400, "An error occurred when "
				    "deserializing the json body of a request: "
				    "field `%s`: expected %s, got %s.", key,
				    json_type_word(f->type), json_type_word(t));
			goto err;
		}
	}
	for (const struct api_field *f = fields; f->name; f++)
		if (f->required && !json_object_object_get_ex(o, f->name,
							      NULL)) {
			reply_fault(res, 400, "An error occurred when "
				    "deserializing the json body of a request: "
				    "missing field `%s`.", f->name);
			goto err;
		}
	return o;
err:
	json_object_put(o);
	return NULL;
}

static const char *field_string(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ?
	       json_object_get_string(v) : NULL;
}

static bool field_bool(struct json_object *o, const char *name, bool dflt)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ?
	       json_object_get_boolean(v) : dflt;
}

/* An integer field: false when absent; 400 when negative or too big. */
static bool field_uint(struct json_object *o, const char *name,
		       uint64_t max, uint64_t *out, bool *bad,
		       struct api_response *res)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, name, &v))
		return false;
	errno = 0;
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max || errno) {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: field `%s`: %s is out of "
			    "range 0..%" PRIu64 ".", name,
			    json_object_to_json_string(v), max);
		*bad = true;
		return false;
	}
	*out = n;
	return true;
}

static void str_set(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
}

/* --- pre-boot configuration -------------------------------------------- */

static bool refuse_after_start(struct api_response *res)
{
	if (api_state == API_NOT_STARTED)
		return false;
	reply_fault(res, 400, "The requested operation is not supported after "
		    "starting the microVM.");
	return true;
}

static const struct api_field boot_source_fields[] = {
	{ "kernel_image_path", json_type_string, true },
	{ "boot_args", json_type_string, false },
	{ "initrd_path", json_type_string, false },
	/* boardvm: load kernel_image_path as a raw binary here (--flat). */
	{ "boardvm_flat_addr", json_type_int, false },
	{ NULL },
};

static void put_boot_source(struct json_object *o, struct api_response *res)
{
	uint64_t addr = 0;
	bool bad = false, flat;

	flat = field_uint(o, "boardvm_flat_addr", UINT32_MAX, &addr, &bad,
			  res);
	if (bad)
		return;
	str_set(&api_cfg.kernel, field_string(o, "kernel_image_path"));
	str_set(&api_cfg.boot_args, field_string(o, "boot_args"));
	str_set(&api_cfg.initrd, field_string(o, "initrd_path"));
	api_cfg.flat = flat;
	api_cfg.flat_addr = addr;
	if (flat && (api_cfg.initrd || api_cfg.boot_args)) {
		reply_fault(res, 400, "boardvm_flat_addr loads a raw binary: "
			    "initrd_path and boot_args need a kernel");
		str_set(&api_cfg.kernel, NULL);
		return;
	}
	reply_none(res);
}

static unsigned board_blk_devices(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < board_info.nr_devices; i++)
		n += board_devices[i].type == &device_type_virtio_blk_pci;
	return n;
}

static const struct api_field drive_fields[] = {
	{ "drive_id", json_type_string, true },
	{ "path_on_host", json_type_string, true },
	{ "is_root_device", json_type_boolean, true },
	{ "is_read_only", json_type_boolean, false },
	{ "partuuid", json_type_null, false },
	{ "cache_type", json_type_string, false },
	{ "io_engine", json_type_string, false },
	{ "rate_limiter", json_type_null, false },
	{ NULL },
};

static struct api_drive *drive_slot(const char *id, struct api_response *res)
{
	unsigned slots = board_blk_devices();

	for (unsigned i = 0; i < api_cfg.nr_drives; i++)
		if (!strcmp(api_cfg.drives[i].id, id))
			return &api_cfg.drives[i];
	if (api_cfg.nr_drives >= slots || api_cfg.nr_drives == API_MAX_DRIVES) {
		reply_fault(res, 400, "drive '%s': board %s has %u "
			    "virtio-blk-pci device%s, all taken (%s): add a "
			    "device to the board", id, board_info.name, slots,
			    slots == 1 ? "" : "s", board_info.source);
		return NULL;
	}
	return &api_cfg.drives[api_cfg.nr_drives++];
}

static void put_drive(const char *id, struct json_object *o,
		      struct api_response *res)
{
	const char *cache = field_string(o, "cache_type");
	const char *engine = field_string(o, "io_engine");
	struct json_object *v;
	struct api_drive *d;

	if (strcmp(field_string(o, "drive_id"), id)) {
		reply_fault(res, 400, "The id from the path does not match the "
			    "id from the body!");
		return;
	}
	if (strlen(id) >= sizeof(d->id) || !*id) {
		reply_fault(res, 400, "drive id '%s': 1 to %zu characters", id,
			    sizeof(d->id) - 1);
		return;
	}
	if (json_object_object_get_ex(o, "rate_limiter", &v) && v) {
		reply_fault(res, 400, "rate_limiter: boardvm's virtio-blk has "
			    "no rate limiter; leave the field out");
		return;
	}
	if ((cache && strcmp(cache, "Unsafe")) ||
	    (engine && strcmp(engine, "Sync"))) {
		reply_fault(res, 400, "%s '%s': boardvm's virtio-blk is %s "
			    "only", cache && strcmp(cache, "Unsafe") ?
			    "cache_type" : "io_engine",
			    cache && strcmp(cache, "Unsafe") ? cache : engine,
			    cache && strcmp(cache, "Unsafe") ? "Unsafe" :
			    "Sync");
		return;
	}
	d = drive_slot(id, res);
	if (!d)
		return;
	snprintf(d->id, sizeof(d->id), "%s", id);
	str_set(&d->path, field_string(o, "path_on_host"));
	d->readonly = field_bool(o, "is_read_only", false);
	d->root = field_bool(o, "is_root_device", false);
	reply_none(res);
}

static const struct api_field machine_fields[] = {
	{ "vcpu_count", json_type_int, false },
	{ "mem_size_mib", json_type_int, false },
	{ "smt", json_type_boolean, false },
	{ "track_dirty_pages", json_type_boolean, false },
	{ "cpu_template", json_type_string, false },
	{ "huge_pages", json_type_string, false },
	{ NULL },
};

/* What the board fixes: refuse a change, naming why. */
static bool machine_fixed(struct json_object *o, struct api_response *res)
{
	const char *tmpl = field_string(o, "cpu_template");
	const char *huge = field_string(o, "huge_pages");

	if (field_bool(o, "smt", false)) {
		reply_fault(res, 400, "smt: board %s has one thread per vCPU "
			    "(cpus: in %s); leave it false", board_info.name,
			    board_info.source);
		return true;
	}
	if (field_bool(o, "track_dirty_pages", false)) {
		reply_fault(res, 400, "track_dirty_pages: boardvm takes no "
			    "snapshots; leave it false");
		return true;
	}
	if (tmpl && strcmp(tmpl, "None")) {
		reply_fault(res, 400, "cpu_template '%s': board %s sets the "
			    "guest's CPUID (cpuid-hide in %s, --cpuid-hide); "
			    "use \"None\"", tmpl, board_info.name,
			    board_info.source);
		return true;
	}
	if (huge && strcmp(huge, "None")) {
		reply_fault(res, 400, "huge_pages '%s': guest RAM is ordinary "
			    "anonymous memory; use \"None\"", huge);
		return true;
	}
	return false;
}

static void set_machine_config(struct json_object *o, bool patch,
			       struct api_response *res)
{
	struct ram_span spans[VM_MAX_MEM];
	struct ram_fill_fault fault;
	char why[320];
	uint64_t cpus = 0, mib = 0;
	bool bad = false, has_cpus, has_mem;

	has_cpus = field_uint(o, "vcpu_count", UINT32_MAX, &cpus, &bad, res);
	has_mem = !bad && field_uint(o, "mem_size_mib", UINT64_MAX / MIB, &mib,
				     &bad, res);
	if (bad || machine_fixed(o, res))
		return;
	if (!patch && (!has_cpus || !has_mem)) {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: missing field `%s`.",
			    has_cpus ? "mem_size_mib" : "vcpu_count");
		return;
	}
	if (has_cpus && (cpus < 1 || cpus > board_info.cpus_max)) {
		reply_fault(res, 400, "vcpu_count %" PRIu64 ": board %s allows "
			    "1 to %u vCPUs (cpus: max in %s)", cpus,
			    board_info.name, board_info.cpus_max,
			    board_info.source);
		return;
	}
	if (has_mem && mib == 0) {
		reply_fault(res, 400, "mem_size_mib 0: give the guest RAM in "
			    "MiB, like 512");
		return;
	}
	if (has_mem && vm_ram_fill(mib * MIB, spans, &fault) < 0) {
		vm_ram_fault_str(&fault, why, sizeof(why));
		reply_fault(res, 400, "mem_size_mib %" PRIu64 ": does not fit "
			    "the RAM regions of board %s: it %s (ram: in %s; "
			    "boardc map --mem shows the layout)", mib,
			    board_info.name, why, board_info.source);
		return;
	}
	if (has_cpus)
		api_cfg.vcpus = cpus;
	if (has_mem)
		api_cfg.mem = mib * MIB;
	reply_none(res);
}

static void get_machine_config(struct api_response *res)
{
	struct json_object *o = json_object_new_object();
	uint64_t mem = api_vm ? api_vm->opts->mem : api_cfg.mem;
	unsigned cpus = api_vm ? api_vm->nr_vcpus : api_cfg.vcpus;

	json_object_object_add(o, "vcpu_count", json_object_new_int(cpus));
	json_object_object_add(o, "mem_size_mib",
			       json_object_new_uint64(mem / MIB));
	json_object_object_add(o, "smt", json_object_new_boolean(false));
	json_object_object_add(o, "track_dirty_pages",
			       json_object_new_boolean(false));
	json_object_object_add(o, "huge_pages", json_object_new_string("None"));
	reply_json(res, 200, o);
}

static const struct api_field logger_fields[] = {
	{ "log_path", json_type_string, false },
	{ "level", json_type_string, false },
	{ "show_level", json_type_boolean, false },
	{ "show_log_origin", json_type_boolean, false },
	{ "module", json_type_string, false },
	{ NULL },
};

static void put_logger(struct json_object *o, struct api_response *res)
{
	char err[512];

	if (log_configure(field_string(o, "log_path"),
			  field_string(o, "level"), err, sizeof(err)) < 0) {
		reply_fault(res, 400, "%s", err);
		return;
	}
	reply_none(res);
}

static const struct api_field metrics_fields[] = {
	{ "metrics_path", json_type_string, true },
	{ NULL },
};

static void put_metrics(struct json_object *o, struct api_response *res)
{
	char err[512];

	if (metrics_open(field_string(o, "metrics_path"), 0, err,
			 sizeof(err)) < 0) {
		reply_fault(res, 400, "%s", err);
		return;
	}
	reply_none(res);
}

/* --- the running instance ---------------------------------------------- */

static const char *state_name(void)
{
	if (api_state == API_NOT_STARTED || api_state == API_STARTING)
		return "Not started";
	return api_vm && vm_is_paused(api_vm) ? "Paused" : "Running";
}

static struct json_object *consoles_json(void)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < console_backend_count(); i++) {
		const struct console_backend *be = console_backend_get(i);
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "device",
				       json_object_new_string(be->device->name));
		json_object_object_add(c, "backend", json_object_new_string(
					       console_kind_name(be->kind)));
		if (be->path[0])
			json_object_object_add(c, "path",
					       json_object_new_string(be->path));
		json_object_array_add(a, c);
	}
	return a;
}

static void get_instance(struct api_response *res)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ext = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(api_id));
	json_object_object_add(o, "state", json_object_new_string(state_name()));
	json_object_object_add(o, "vmm_version",
			       json_object_new_string(BOARDVM_VERSION));
	json_object_object_add(o, "app_name", json_object_new_string("boardvm"));
	json_object_object_add(ext, "board",
			       json_object_new_string(board_info.name));
	json_object_object_add(ext, "source",
			       json_object_new_string(board_info.source));
	json_object_object_add(ext, "consoles", consoles_json());
	json_object_object_add(o, "boardvm", ext);
	reply_json(res, 200, o);
}

static bool refuse_before_start(struct api_response *res)
{
	if (api_vm)
		return false;
	reply_fault(res, 400, "The requested operation is not supported before "
		    "starting the microVM.");
	return true;
}

/* The first device that takes the keys (the board's i8042). */
static void send_ctrl_alt_del(struct api_response *res)
{
	if (machine_host_event(HOST_EVENT_CTRL_ALT_DEL)) {
		reply_none(res);
		return;
	}
	reply_fault(res, 400, "SendCtrlAltDel: board %s has no keyboard "
		    "controller (i8042) to press the keys on (%s)",
		    board_info.name, board_info.source);
}

static const struct api_field action_fields[] = {
	{ "action_type", json_type_string, true },
	{ NULL },
};

static void instance_start(struct api_response *res)
{
	if (refuse_after_start(res))
		return;
	if (!api_cfg.kernel) {
		reply_fault(res, 400, "Cannot start microvm without kernel "
			    "configuration: PUT /boot-source first.");
		return;
	}
	api_state = API_STARTING;
	api_start_requested = true;
	reply_none(res);
}

static void put_actions(struct json_object *o, struct api_response *res)
{
	const char *what = field_string(o, "action_type");
	char err[256];

	if (!strcmp(what, "InstanceStart")) {
		instance_start(res);
	} else if (!strcmp(what, "FlushMetrics")) {
		if (metrics_flush(err, sizeof(err)) < 0)
			reply_fault(res, 400, "%s", err);
		else
			reply_none(res);
	} else if (!strcmp(what, "SendCtrlAltDel")) {
		if (!refuse_before_start(res))
			send_ctrl_alt_del(res);
	} else {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: unknown variant `%s`, "
			    "expected one of `FlushMetrics`, `InstanceStart`, "
			    "`SendCtrlAltDel`.", what);
	}
}

/*
 * SIGTERM's press of the power button (vm_shutdown()): the guest has
 * --shutdown-timeout seconds to power off before boardvm stops it (143).
 */
static void put_board_shutdown(struct json_object *o, struct api_response *res)
{
	if (refuse_before_start(res))
		return;
	if (vm_shutdown(api_vm)) {
		reply_none(res);
		return;
	}
	if (!api_vm->opts->shutdown_timeout_s)
		reply_fault(res, 400, "shutdown: --shutdown-timeout 0 turns "
			    "the power button off");
	else
		reply_fault(res, 400, "shutdown: nothing listens to the ACPI "
			    "power button (board %s has no acpi-pm device, or "
			    "the guest has not enabled the event: no ACPI or no "
			    "button driver); stop boardvm with a signal",
			    board_info.name);
}

static const struct api_field vm_fields[] = {
	{ "state", json_type_string, true },
	{ NULL },
};

static void patch_vm(struct json_object *o, struct api_response *res)
{
	const char *state = field_string(o, "state");

	if (strcmp(state, "Paused") && strcmp(state, "Resumed")) {
		reply_fault(res, 400, "An error occurred when deserializing the "
			    "json body of a request: unknown variant `%s`, "
			    "expected `Paused` or `Resumed`.", state);
		return;
	}
	if (refuse_before_start(res))
		return;
	if (!strcmp(state, "Paused"))
		vm_pause(api_vm);
	else
		vm_resume(api_vm);
	reply_none(res);
}

static void get_board(struct api_response *res)
{
	reply_json(res, 200, board_to_json(api_vm));
}

static void get_board_stats(struct api_response *res)
{
	if (refuse_before_start(res))
		return;
	reply_json(res, 200, stats_to_json(api_vm, true));
}

static const struct api_field trace_fields[] = {
	{ "enabled", json_type_boolean, true },
	{ "filter", json_type_string, false },
	{ "format", json_type_string, false },
	{ NULL },
};

static void put_board_trace(struct json_object *o, struct api_response *res)
{
	const char *format = field_string(o, "format");
	char err[512];

	if (format && strcmp(format, "text") && strcmp(format, "json")) {
		reply_fault(res, 400, "format '%s': expected \"text\" or "
			    "\"json\"", format);
		return;
	}
	if (trace_configure(api_vm, field_bool(o, "enabled", false),
			    field_string(o, "filter"),
			    format ? !strcmp(format, "json") : trace_json(),
			    err, sizeof(err)) < 0) {
		reply_fault(res, 400, "%s", err);
		return;
	}
	reply_none(res);
}

/* --- routes ------------------------------------------------------------- */

enum api_body { BODY_NONE, BODY_JSON };

struct api_route {
	const char *method;
	const char *path;		/* ends in '/': a prefix, id follows */
	const struct api_field *fields;	/* NULL: no body */
	bool pre_boot;			/* refused after InstanceStart */
	void (*get)(struct api_response *res);
	void (*put)(struct json_object *o, struct api_response *res);
	void (*put_id)(const char *id, struct json_object *o,
		       struct api_response *res);
};

static void put_machine_config(struct json_object *o, struct api_response *res)
{
	set_machine_config(o, false, res);
}

static void patch_machine_config(struct json_object *o,
				 struct api_response *res)
{
	set_machine_config(o, true, res);
}

static void refuse_net(const char *id, struct json_object *o,
		       struct api_response *res)
{
	reply_fault(res, 400, "network interface '%s': board %s has no "
		    "virtio-net device and boardvm no network model yet", id,
		    board_info.name);
}

static void refuse_vsock(struct json_object *o, struct api_response *res)
{
	reply_fault(res, 400, "vsock: board %s has no virtio-vsock device and "
		    "boardvm no vsock model yet", board_info.name);
}

static const struct api_route routes[] = {
	{ "GET", "/", .get = get_instance },
	{ "PUT", "/boot-source", boot_source_fields, true,
	  .put = put_boot_source },
	{ "PUT", "/drives/", drive_fields, true, .put_id = put_drive },
	{ "PUT", "/network-interfaces/", NULL, true, .put_id = refuse_net },
	{ "PUT", "/vsock", NULL, true, .put = refuse_vsock },
	{ "GET", "/machine-config", .get = get_machine_config },
	{ "PUT", "/machine-config", machine_fields, true,
	  .put = put_machine_config },
	{ "PATCH", "/machine-config", machine_fields, true,
	  .put = patch_machine_config },
	{ "PUT", "/actions", action_fields, .put = put_actions },
	{ "PATCH", "/vm", vm_fields, .put = patch_vm },
	{ "PUT", "/logger", logger_fields, true, .put = put_logger },
	{ "PUT", "/metrics", metrics_fields, true, .put = put_metrics },
	{ "GET", "/board", .get = get_board },
	{ "GET", "/board/stats", .get = get_board_stats },
	{ "PUT", "/board/trace", trace_fields, .put = put_board_trace },
	{ "PUT", "/board/shutdown", .put = put_board_shutdown },
};

static const struct api_route *route_find(const char *method, const char *path,
					  const char **id)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct api_route *r = &routes[i];
		size_t n = strlen(r->path);

		if (strcmp(r->method, method))
			continue;
		if (r->put_id && !strncmp(path, r->path, n) && path[n] &&
		    !strchr(path + n, '/')) {
			*id = path + n;
			return r;
		}
		if (!r->put_id && !strcmp(path, r->path))
			return r;
	}
	return NULL;
}

static void api_dispatch(const char *method, const char *path,
			 const char *body, size_t len, struct api_response *res)
{
	const char *id = NULL;
	const struct api_route *r = route_find(method, path, &id);
	struct json_object *o = NULL;

	if (!r) {
		reply_fault(res, 400, "Invalid request method and/or path: %s "
			    "%s.", method, path);
		return;
	}
	if (r->pre_boot && refuse_after_start(res))
		return;
	if (r->get) {
		r->get(res);
		return;
	}
	if (r->fields && !(o = body_parse(body, len, r->fields, res)))
		return;
	if (r->put_id)
		r->put_id(id, o, res);
	else
		r->put(o, res);
	json_object_put(o);
}

void api_handle(const char *method, const char *path, const char *body,
		size_t len, struct api_response *res)
{
	pthread_mutex_lock(&api_lock);
	res->body = NULL;
	api_dispatch(method, path, body, len, res);
	pthread_mutex_unlock(&api_lock);
}

/* --- main's side -------------------------------------------------------- */

void api_init(const char *id, unsigned vcpus, uint64_t mem)
{
	if (id)
		snprintf(api_id, sizeof(api_id), "%s", id);
	api_cfg.vcpus = vcpus;
	api_cfg.mem = mem;
}

void api_mark_started(void)
{
	pthread_mutex_lock(&api_lock);
	api_state = API_RUNNING;
	pthread_mutex_unlock(&api_lock);
}

/*
 * Main waits here, taking the stop signals itself (they are blocked in
 * every thread): a SIGTERM before InstanceStart ends boardvm as usual.
 */
int api_wait_start(const struct api_config **cfg)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (;;) {
		pthread_mutex_lock(&api_lock);
		if (api_start_requested) {
			api_state = API_RUNNING;
			pthread_mutex_unlock(&api_lock);
			*cfg = &api_cfg;
			return 0;
		}
		pthread_mutex_unlock(&api_lock);
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig > 0)
			return sig;
	}
}

void api_attach_vm(struct vm *vm)
{
	pthread_mutex_lock(&api_lock);
	api_vm = vm;
	pthread_mutex_unlock(&api_lock);
}

void api_detach_vm(void)
{
	pthread_mutex_lock(&api_lock);
	if (api_vm)
		vm_resume(api_vm);	/* a paused vCPU must see the stop */
	api_vm = NULL;
	pthread_mutex_unlock(&api_lock);
}

/*
 * --config-file: Firecracker's layout, each section a request body:
 * "boot-source", "drives" (an array), "machine-config", "logger",
 * "metrics"; then InstanceStart.
 */
static int config_section(const char *method, const char *path,
			  struct json_object *body, const char *file)
{
	const char *text = json_object_to_json_string_ext(body,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	struct api_response res;
	int ret = 0;

	api_handle(method, path, text, strlen(text), &res);
	if (res.status >= 300) {
		fprintf(stderr, "boardvm: --config-file %s: %s %s: %s\n", file,
			method, path, res.body ? res.body : "refused");
		ret = -1;
	}
	api_response_free(&res);
	return ret;
}

static const char *const config_sections[] = {
	"logger", "metrics", "machine-config", "boot-source", "drives",
	"network-interfaces", "vsock", NULL,
};

/* "drives" and "network-interfaces": arrays, each entry one PUT. */
static int config_list(const char *section, struct json_object *list,
		       const char *file)
{
	const char *key = strcmp(section, "drives") ? "iface_id" : "drive_id";
	char path[128];

	if (!json_object_is_type(list, json_type_array)) {
		fprintf(stderr, "boardvm: --config-file %s: \"%s\" must be an "
			"array\n", file, section);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);
		const char *id = json_object_is_type(d, json_type_object) ?
				 field_string(d, key) : NULL;

		snprintf(path, sizeof(path), "/%s/%s", section, id ? id : "");
		if (config_section("PUT", path, d, file) < 0)
			return -1;
	}
	return 0;
}

int api_config_file(const char *file)
{
	struct json_object *root = json_object_from_file(file);
	struct json_object *v;
	char path[64];
	int ret = -1;

	if (!root || !json_object_is_type(root, json_type_object)) {
		fprintf(stderr, "boardvm: --config-file %s: %s\n", file,
			root ? "expected a JSON object" :
			json_util_get_last_err());
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		unsigned i = 0;

		(void)val;
		while (config_sections[i] && strcmp(config_sections[i], key))
			i++;
		if (!config_sections[i]) {
			fprintf(stderr, "boardvm: --config-file %s: unknown "
				"section \"%s\" (boot-source, drives, "
				"machine-config, logger, metrics)\n", file, key);
			goto out;
		}
	}
	for (unsigned i = 0; config_sections[i]; i++) {
		if (!json_object_object_get_ex(root, config_sections[i], &v))
			continue;
		snprintf(path, sizeof(path), "/%s", config_sections[i]);
		if (!strcmp(config_sections[i], "drives") ||
		    !strcmp(config_sections[i], "network-interfaces") ?
		    config_list(config_sections[i], v, file) < 0 :
		    config_section("PUT", path, v, file) < 0)
			goto out;
	}
	v = json_object_new_object();
	json_object_object_add(v, "action_type",
			       json_object_new_string("InstanceStart"));
	ret = config_section("PUT", "/actions", v, file);
	json_object_put(v);
out:
	json_object_put(root);
	return ret;
}
