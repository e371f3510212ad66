#include "harness.h"
int main(void) { CHECK(1); TEST_SUMMARY(); }
