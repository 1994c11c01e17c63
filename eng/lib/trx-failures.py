"""Prints each failed test of the given TRX reports with the first lines of its message, so that a run's tail
(all that CI keeps) names what failed."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
MESSAGE_LINES = 6

for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"[test] FAILED to read {path}: {error}")
        continue
    for result in root.iter(NS + "UnitTestResult"):
        if result.get("outcome") not in ("Failed", "Error", "Timeout", "Aborted"):
            continue
        print(f"[test] FAILED {result.get('testName')} ({path.rsplit('/', 2)[-2]}/{path.rsplit('/', 1)[-1]})")
        message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
        lines = (message.text or "").strip().splitlines() if message is not None else []
        for line in lines[:MESSAGE_LINES]:
            print(f"[test]     {line[:300]}")
