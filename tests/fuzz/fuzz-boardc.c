// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: one board file through boardc's whole pipeline, as
 * boardc.c's main() runs it: front end, board_check(), board_layout(),
 * board_check_layout(), board_plan(), board_check_plan() and, when the
 * board is clean, every emitter (C into a scratch folder, the rest to
 * /dev/null), `boardc acpi` at 1 and at the most CPUs included. A clean
 * board's ACPI tables must check out (every checksum sums to 0, the
 * FACS having none; each header's length is the table's; all inside the
 * image); otherwise the target aborts. A clean board must also survive a
 * round trip: written back in its own syntax (-O yaml, -O dts)
 * it compiles cleanly into the same machine (the JSON map, less source
 * positions, is identical); otherwise the target aborts.
 *
 * Built twice: with FUZZ_DTS the input is the dtc-like text syntax
 * (board_from_dts()), otherwise YAML (board_from_yaml()). The front ends
 * read a file, so each input is written to one scratch file per process.
 * Only regular files are read (an /include/ of a device or FIFO is
 * refused: dtc-like/input.c), so stdin cannot hang a run.
 *
 * State between inputs: diagnostics only count up (we compare counts, never
 * reset them), check switches are never touched, srcpos interns the one
 * scratch file name; the board is freed after every input, so leak
 * detection sees anything the pipeline forgets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi-tables.h"
#include "acpi.h"
#include "boardc.h"

#ifdef FUZZ_DTS
#define FUZZ_SUFFIX	".dts"
#define board_from	board_from_dts
#else
#define FUZZ_SUFFIX	".yaml"
#define board_from	board_from_yaml
#endif

/*
 * One scratch folder per process: the input is <dir>/board.yaml or .dts
 * (a fixed name, so an input may /include/ "board.dts" itself), -O c
 * writes into <dir>/out.
 */
static char scratch_dir[64];
static char input_path[96];
static char output_dir[96];
static char round_path[96];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_cleanup(void)
{
	static const char *const outputs[] = {
		"board.c", "board.h", "devices.mk",
	};
	char path[128];

	for (unsigned i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", output_dir, outputs[i]);
		unlink(path);
	}
	rmdir(output_dir);
	unlink(input_path);
	unlink(round_path);
	rmdir(scratch_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	diag_set_max_errors(0);	/* the cap exits: never inside a fuzzer */
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/boardc-fuzz-XXXXXX");
	devnull = fopen("/dev/null", "w");
	if (!mkdtemp(scratch_dir) || !devnull) {
		perror("fuzz-boardc: a scratch folder in /tmp");
		exit(1);
	}
	snprintf(input_path, sizeof(input_path), "%s/board" FUZZ_SUFFIX,
		 scratch_dir);
	snprintf(output_dir, sizeof(output_dir), "%s/out", scratch_dir);
	snprintf(round_path, sizeof(round_path), "%s/round" FUZZ_SUFFIX,
		 scratch_dir);
	if (mkdir(output_dir, 0700)) {
		perror("fuzz-boardc: the output folder");
		exit(1);
	}
	atexit(fuzz_cleanup);
	return 0;
}

static int input_write(const uint8_t *data, size_t size)
{
	FILE *f = fopen(input_path, "w");

	if (!f)
		return -1;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

/* The tables' own invariants: what a guest's ACPICA checks first. */
static void board_acpi_check(const struct board *board)
{
	const struct srcpos *pos;
	struct acpi_image img;
	char err[256];

	if (board_acpi_build(board, &img, err, sizeof(err), &pos) < 0)
		return;
	for (unsigned i = 0; i < img.nr_tables; i++) {
		const struct acpi_table_pos *t = &img.tables[i];
		const uint8_t *p = img.b.buf + t->off;
		uint32_t len;

		if (t->off > img.b.len || t->len > img.b.len - t->off) {
			fprintf(stderr, "fuzz-boardc: %s at +%zu (%zu bytes) "
				"outside the %zu-byte image\n", t->signature,
				t->off, t->len, img.b.len);
			abort();
		}
		bool sum = strcmp(t->signature, "FACS");	/* none there */

		memcpy(&len, p + (i ? 4 : 20), 4);
		if ((!i && byte_sum(p, 20)) || (sum && byte_sum(p, t->len)) ||
		    len != t->len) {
			fprintf(stderr, "fuzz-boardc: %s: checksum or length "
				"%u of a %zu-byte table\n", t->signature, len,
				t->len);
			abort();
		}
	}
	/* The VMM's one patch: the MADT cut to 1 CPU still sums to 0. */
	if (img.madt_off) {
		uint8_t *madt = img.b.buf + img.madt_off;
		uint32_t len;

		if (!acpi_madt_set_cpus(madt, 1))
			abort();
		memcpy(&len, madt + 4, 4);
		if (byte_sum(madt, len)) {
			fprintf(stderr, "fuzz-boardc: the MADT for 1 CPU "
				"does not sum to 0\n");
			abort();
		}
	}
	acpi_image_free(&img);
}

static void board_emit_all(const struct board *board)
{
	board_to_c(board, output_dir);
	board_to_devices_mk(board, devnull);
	board_to_map(board, board->ram_default, devnull);
	board_to_json(board, board->ram_default, devnull);
	board_to_svg(board, board->ram_default, devnull);
	board_to_yaml(board, devnull);
	board_to_dts(board, devnull);
	if (board_wants_tables(board, "acpi")) {
		board_acpi_check(board);
		board_acpi_dump(board, 1, NULL, devnull);
		board_acpi_dump(board, board->cpus_max, NULL, devnull);
	}
	fflush(devnull);
}

/*
 * The board as `boardc -O json` shows it, less the lines that name the
 * source file or positions: what a round trip must keep.
 */
static char *board_json(const struct board *board)
{
	char *buf = NULL, *line, *out, *o;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	board_to_json(board, board->ram_default, f);
	fclose(f);
	out = o = calloc(1, len + 1);
	if (!out)
		abort();
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "\"source\"") || strstr(line, "\"srcpos\""))
			continue;
		o += sprintf(o, "%s\n", line);
	}
	free(buf);
	return out;
}

/* The board as parsed and checked, or NULL with diagnostics printed. */
static struct board *board_compile(const char *path)
{
	int errors_before = diag_error_count();
	struct board *board = board_from(path);

	if (!board)
		return NULL;
	board_check(board);
	board_layout(board);
	board_check_layout(board);
	if (diag_error_count() == errors_before && !board_plan(board))
		board_check_plan(board);
	if (diag_error_count() == errors_before)
		return board;
	board_free(board);
	return NULL;
}

/*
 * A clean board written back in its own syntax (-O yaml or -O dts) must
 * compile cleanly again into the same machine.
 */
static void board_round_trip(const struct board *board)
{
	FILE *f = fopen(round_path, "w");
	struct board *again;
	char *want, *got;

	if (!f)
		abort();
#ifdef FUZZ_DTS
	board_to_dts(board, f);
#else
	board_to_yaml(board, f);
#endif
	fclose(f);
	again = board_compile(round_path);
	if (!again) {
		fprintf(stderr, "fuzz-boardc: the board written back to %s "
			"does not compile\n", round_path);
		abort();
	}
	want = board_json(board);
	got = board_json(again);
	if (strcmp(want, got)) {
		fprintf(stderr, "fuzz-boardc: the board written back to %s "
			"is another machine:\n--- before\n%s--- after\n%s",
			round_path, want, got);
		abort();
	}
	free(want);
	free(got);
	board_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct board *board;

	if (input_write(data, size)) {
		perror("fuzz-boardc: writing the input");
		abort();
	}
	board = board_compile(input_path);
	if (!board)
		return 0;
	board_emit_all(board);
	board_round_trip(board);
	board_free(board);
	return 0;
}
