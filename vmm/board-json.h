/* SPDX-License-Identifier: MIT */
/* GET /board: the live map as JSON (vmm/board-json.c). */
#ifndef BOARDVM_BOARD_JSON_H
#define BOARDVM_BOARD_JSON_H

struct json_object;
struct vm;

struct json_object *board_to_json(struct vm *vm);

#endif
