// SPDX-License-Identifier: Apache-2.0

/** vordr's own errors (usage, not found, conflict, runtime, internal): 00 §8. */
export const EXIT_VORDR_ERROR = 125;
/** A foreground command that could not be invoked / was not found (00 §8). */
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;
