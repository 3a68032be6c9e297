#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates `iocsim check --junit` output as XML with the JUnit structure.

check_junit.py FILE TESTS FAILURES ERRORS: the XML parses, the counts on
<testsuites> are the given ones and agree with the <testcase> elements.
"""
import sys
import xml.etree.ElementTree as ET


def fail(message):
    print(f"check_junit: {message}", file=sys.stderr)
    sys.exit(1)


path, tests, failures, errors = sys.argv[1], *map(int, sys.argv[2:5])
root = ET.parse(path).getroot()
if root.tag != "testsuites":
    fail(f"root is {root.tag}")
cases = root.findall("testsuite/testcase")
counted = (len(cases), sum(1 for c in cases if c.find("failure") is not None),
           sum(1 for c in cases if c.find("error") is not None))
declared = tuple(int(root.get(k)) for k in ("tests", "failures", "errors"))
if counted != declared:
    fail(f"attributes say {declared}, elements {counted}")
if declared != (tests, failures, errors):
    fail(f"expected {(tests, failures, errors)}, got {declared}")
for suite in root.findall("testsuite"):
    if int(suite.get("tests")) != len(suite.findall("testcase")):
        fail(f"suite {suite.get('name')} miscounts its tests")
print(f"check_junit: {declared}")
