"""Prints the test counts per area (namespace), every skipped test with its reason and every failed test with its
message and the top of its stack, from a TRX file (CI keeps only the tail of the output: the failures come last).
Exits 1 when a test skipped because a real server it needs was not running (its reason says "run ./run-tests"):
./run-tests starts every server a test asks for, so under it such a skip means a server failed to start, and a
suite that silently proves less must not pass."""
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
        msg = r.find(".//t:Output/t:ErrorInfo/t:Message", ns)
        stack = r.find(".//t:Output/t:ErrorInfo/t:StackTrace", ns)
        text = (msg.text or "").strip() if msg is not None else ""
        top = [l.strip() for l in ((stack.text or "") if stack is not None else "").splitlines() if l.strip()][:6]
        failed.append((r.get("testName"), text, top))
print()
print(f"{'test class':45} {'passed':>7} {'failed':>7} {'skipped':>8}")
for area in sorted(counts):
    c = counts[area]
    print(f"{area:45} {c['Passed']:>7} {c['Failed']:>7} {c['NotExecuted']:>8}")
if skipped:
    print("\nskipped (with reason):")
    # Reasons cut at 240 characters (the TRX keeps them whole), so that the failures below stay in view.
    for name, why in skipped:
        print(f"  - {name}: {why if len(why) <= 240 else why[:240] + '…'}")
if failed:
    print("\nfailed:")
    for name, text, top in failed:
        print(f"  - {name}")
        # A long assertion message (a transcript) is cut in the middle: its start and end say the most.
        if len(text) > 4000:
            text = text[:2000] + "\n      [...]\n" + text[-2000:]
        for line in text.splitlines():
            print(f"      {line}")
        for line in top:
            print(f"      {line}")

missing = [name for name, why in skipped if "run ./run-tests" in why]
if missing:
    print(f"\n{len(missing)} test(s) skipped because a real server was not running; under ./run-tests that is a failure:")
    for name in missing[:20]:
        print(f"  - {name}")
    sys.exit(1)
