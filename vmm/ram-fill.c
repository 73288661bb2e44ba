/*
 * The board's RAM regions filled with --mem bytes (machine/ram-layout.h's
 * rule, the layout boardc map shows), with the board's names in a
 * refusal. Board tables and machine/ only, no KVM: the API fuzzer links
 * it as it is.
 */
#include "ram-layout.h"
#include "vmm.h"

/*
 * `mem` bytes laid into the board's RAM regions, in order, the reserved
 * ranges between them counted (machine/ram-layout.h: the layout boardc map
 * shows). Returns the number of spans, or -1 with `fault` (may be NULL).
 */
int vm_ram_fill(uint64_t mem, struct ram_span *spans,
		struct ram_fill_fault *fault)
{
	struct ram_span regions[VM_MAX_MEM], reserved[GUEST_RAM_MAX_SPANS];
	unsigned nr = board_info.nr_ram, nr_res = board_info.nr_reserved;

	if (nr > VM_MAX_MEM)
		nr = VM_MAX_MEM;
	if (nr_res > GUEST_RAM_MAX_SPANS)
		nr_res = GUEST_RAM_MAX_SPANS;	/* boardc's memslots check */
	for (unsigned i = 0; i < nr; i++)
		regions[i] = (struct ram_span) { .base = board_ram[i].base,
						 .size = board_ram[i].size,
						 .index = i };
	for (unsigned i = 0; i < nr_res; i++)
		reserved[i] = (struct ram_span) {
			.base = board_reserved[i].base,
			.size = board_reserved[i].size, .index = i };
	return ram_layout_fill(regions, nr, reserved, nr_res, mem, spans,
			       VM_MAX_MEM, fault);
}

/* Why vm_ram_fill() refused: "ends inside ...", the board's names in it. */
void vm_ram_fault_str(const struct ram_fill_fault *fault, char *buf,
		      size_t len)
{
	const char *prev = "", *next = "";

	if (fault->kind == RAM_FILL_IN_RESERVED) {
		prev = board_ram[fault->prev].name;
		next = board_ram[fault->next].name;
	}
	ram_fill_fault_explain(fault, prev, next, buf, len);
}
