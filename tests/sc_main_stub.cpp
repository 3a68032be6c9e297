// SPDX-License-Identifier: GPL-2.0-only
// libsystemc refers to sc_main, so every program linking it must define one
// (extern "C"); the tests' main() is Catch2's.
extern "C" int sc_main(int, char*[]) { return 0; }
