"""Prints the test counts per area (namespace) and every skipped test with its reason, from a TRX file."""
import collections, sys, xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
classes = {d.get("id"): d.find("t:TestMethod", ns).get("className") for d in root.iterfind(".//t:UnitTest", ns)}
counts = collections.defaultdict(collections.Counter)
skipped, failed = [], []
for r in root.iterfind(".//t:UnitTestResult", ns):
    cls = classes.get(r.get("testId"), "?")
    area = cls.split(".")[-1]
    outcome = r.get("outcome")
    counts[area][outcome] += 1
    if outcome == "NotExecuted":
        msg = r.find(".//t:Output/t:ErrorInfo/t:Message", ns)
        skipped.append((r.get("testName"), (msg.text or "").strip() if msg is not None else ""))
    elif outcome == "Failed":
        failed.append(r.get("testName"))
print()
print(f"{'test class':45} {'passed':>7} {'failed':>7} {'skipped':>8}")
for area in sorted(counts):
    c = counts[area]
    print(f"{area:45} {c['Passed']:>7} {c['Failed']:>7} {c['NotExecuted']:>8}")
if skipped:
    print("\nskipped (with reason):")
    for name, why in skipped:
        print(f"  - {name}: {why}")
if failed:
    print("\nfailed:")
    for name in failed:
        print(f"  - {name}")
