"""Pass/fail bookkeeping shared by the differential tests: check() counts, and prints the first failures with
their details; the scripts end with tally.passed / tally.failed ("N passed, M failed")."""

passed = 0
failed = 0
SHOW = 25  # failures printed in detail; the rest are counted


def check(cond, what, detail=None):
    global passed, failed
    if cond:
        passed += 1
        return True
    failed += 1
    if failed <= SHOW:
        print("FAIL " + what, flush=True)
        if detail is not None:
            text = detail if isinstance(detail, str) else repr(detail)
            for line in text.splitlines()[:12]:
                print("     " + line[:600], flush=True)
    elif failed == SHOW + 1:
        print("(further failures are counted, not shown)", flush=True)
    return False
