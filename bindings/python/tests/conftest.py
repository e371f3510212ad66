"""pytest setup: the package from this source tree (unless PROVA_TEST_INSTALLED=1: the installed one), libprova from
$PROVA_LIBRARY_DIR (meson sets it to the build directory) or the build tree."""
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
if os.environ.get("PROVA_TEST_INSTALLED") != "1":
    sys.path.insert(0, str(HERE.parent))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def proof_record() -> bytes:
    return (REPO / "tests" / "data" / "proof_minimal.json").read_bytes()


@pytest.fixture(scope="session")
def conformance_dir() -> pathlib.Path:
    return REPO / "conformance"
