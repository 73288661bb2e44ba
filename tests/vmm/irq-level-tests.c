// SPDX-License-Identifier: MIT
/*
 * vmm/irq-level.h without KVM: when a line's irqfd is written, for edge
 * and level lines, shared or not (the rules: vmm/irq-level.h). "Written"
 * is what KVM would see: an edge irqfd pulses the pin, a level irqfd
 * holds it until the guest's EOI (irq_level_resampled()).
 *
 * One line per test: PASS <name> or FAIL <name>: <first failed check>.
 */
#include <stdio.h>

#include "irq-level.h"

static const char *current_test;
static unsigned current_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond) && !current_failures++)			\
			printf("FAIL %s: %s:%d: %s\n", current_test,	\
			       __FILE__, __LINE__, #cond);		\
	} while (0)

/* Edge: each rising edge of the line is one pulse. */
static void test_edge_pulses(void)
{
	struct irq_level l = { .level = false };

	CHECK(irq_level_raise(&l));
	irq_level_lower(&l);
	CHECK(irq_level_raise(&l));	/* before any EOI: kept */
	CHECK(!irq_level_raise(&l));	/* a second device: already high */
	irq_level_lower(&l);
	irq_level_lower(&l);
	CHECK(l.asserted == 0);
}

/* Level: written once while KVM holds it, again at the EOI only if high. */
static void test_level_held_until_eoi(void)
{
	struct irq_level l = { .level = true };

	CHECK(irq_level_raise(&l));
	irq_level_lower(&l);	/* the ISR read */
	CHECK(!irq_level_raise(&l));	/* KVM still holds it */
	CHECK(irq_level_resampled(&l));		/* EOI, still high: again */
	irq_level_lower(&l);
	CHECK(!irq_level_resampled(&l));	/* EOI, low: done */
	CHECK(irq_level_raise(&l));	/* a new interrupt */
}

/* Level, shared: one device lowering keeps the other's interrupt. */
static void test_level_shared(void)
{
	struct irq_level l = { .level = true };

	CHECK(irq_level_raise(&l));	/* device A */
	CHECK(!irq_level_raise(&l));	/* device B: held */
	irq_level_lower(&l);	/* A's handler */
	CHECK(irq_level_resampled(&l));		/* B still high */
	irq_level_lower(&l);	/* B's handler */
	CHECK(!irq_level_resampled(&l));
	CHECK(l.asserted == 0);
}

/* A device lowering a line it never raised (a reset) counts nothing. */
static void test_lower_unraised(void)
{
	struct irq_level l = { .level = true };

	irq_level_lower(&l);
	CHECK(l.asserted == 0);
	CHECK(irq_level_raise(&l));
	CHECK(l.asserted == 1);
}

int main(void)
{
	static const struct { const char *name; void (*run)(void); } tests[] = {
		{ "/vmm/irq-level/edge-pulses", test_edge_pulses },
		{ "/vmm/irq-level/level-held-until-eoi", test_level_held_until_eoi },
		{ "/vmm/irq-level/level-shared", test_level_shared },
		{ "/vmm/irq-level/lower-unraised", test_lower_unraised },
	};
	unsigned failed = 0;

	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		current_test = tests[i].name;
		current_failures = 0;
		tests[i].run();
		if (!current_failures)
			printf("PASS %s\n", current_test);
		failed += current_failures != 0;
	}
	return failed ? 1 : 0;
}
