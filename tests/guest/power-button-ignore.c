// SPDX-License-Identifier: MIT
/* A guest that listens to the power button and runs on (power-button.c). */
#define POWER_BUTTON_IGNORE
#include "power-button.c"
