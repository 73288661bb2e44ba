/* SPDX-License-Identifier: MIT */
/*
 * The board language's vocabulary, declared once: every key of the YAML
 * syntax (KEY_*) and, where the text syntax spells it differently or has
 * a word of its own, its dts name (DTS_*). Both front ends build their
 * known-key lists (unknown_property, missing_property) from these, and
 * both writers (-O yaml, -O dts) print them, so a key cannot be known to
 * one side and misspelt by another. docs/board-format.md documents them;
 * docs/board-format-dts.md maps one syntax onto the other.
 */
#ifndef BOARDC_KEYS_H
#define BOARDC_KEYS_H

/* The top-level mapping (dts: the root node's properties and nodes). */
#define KEY_BOARD		"board"
#define KEY_DESCRIPTION		"description"
#define KEY_CPUS		"cpus"
#define KEY_IRQS		"irqs"
#define KEY_CPUID_HIDE		"cpuid-hide"
#define KEY_FIRMWARE_TABLES	"firmware-tables"
#define KEY_RAM			"ram"
#define KEY_RESERVED		"reserved"
#define KEY_MMIO_WINDOWS	"mmio-windows"
#define KEY_IO_WINDOWS		"io-windows"
#define KEY_DEVICES		"devices"
#define DTS_BOARD		"model"

/* cpus: and ram: */
#define KEY_DEFAULT		"default"
#define KEY_MAX			"max"
#define KEY_REGIONS		"regions"

/* A RAM region, reserved range or window (dts: a node and its reg). */
#define KEY_NAME		"name"
#define KEY_BASE		"base"
#define KEY_SIZE		"size"
#define KEY_BACKED		"backed"
#define DTS_REG			"reg"

/* A device (dts: a node under /devices). */
#define KEY_TYPE		"type"
#define KEY_IO_PORTS		"io-ports"
#define KEY_MMIO		"mmio"
#define KEY_IRQ			"irq"
#define KEY_PROPERTIES		"properties"
#define KEY_BINDINGS		"bindings"
#define KEY_PCI_SLOT		"pci-slot"
#define KEY_TRANSPORT		"transport"
#define KEY_WINDOW		"window"	/* {window: NAME} */
#define KEY_AUTO		"auto"
#define DTS_TYPE		"compatible"
#define DTS_IRQ			"interrupts"

/* A binding given as a mapping. */
#define KEY_BINDING		"binding"
#define KEY_DATAMATCH		"datamatch"

/* Words of the text syntax alone. */
#define DTS_ADDRESS_CELLS	"#address-cells"
#define DTS_SIZE_CELLS		"#size-cells"
#define DTS_INTERRUPT_PARENT	"interrupt-parent"
#define DTS_INTERRUPT_CELLS	"#interrupt-cells"
#define DTS_INTERRUPT_CONTROLLER "interrupt-controller"
#define DTS_LINES		"lines"

#endif
