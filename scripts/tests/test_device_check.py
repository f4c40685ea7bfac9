"""scripts/device-check.sh, read as text: the stages its usage lists are the stages it runs, and every config
a stage runs exists. A device call costs minutes of a 30-minute budget; a typo found here costs none."""
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "device-check.sh")


def script_text():
    with open(SCRIPT) as f:
        return f.read()


class DeviceCheckTest(unittest.TestCase):
    def test_the_usage_lists_exactly_the_stages_the_script_runs(self):
        text = script_text()
        usage = text[text.index("#   stages:"):text.index("# Full logs")]
        listed = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", usage.replace("#   stages:", "")))
        listed -= {"the", "default", "set", "and", "on", "request"}
        handled = set()
        for labels in re.findall(r"^    ([a-z0-9|-]+)\)", text, re.M):
            handled.update(labels.split("|"))
        self.assertEqual(sorted(listed - handled), [], "listed in the usage but not handled")
        self.assertEqual(sorted(handled - listed), [], "handled but not listed in the usage")

    def test_every_config_a_stage_runs_exists(self):
        text = script_text()
        configs = set(re.findall(r"(configs/[A-Za-z0-9_/.]+\.yaml)", text))
        self.assertGreater(len(configs), 10)
        # Names built in loops: configs/targets/codegen_$name.yaml and configs/real/$model.yaml.
        for name in re.search(r"for name in ([a-z0-9_ ]+); do", text).group(1).split():
            configs.add(f"configs/targets/codegen_{name}.yaml")
        for model in re.search(r"for model in ([a-z0-9_ ]+); do", text).group(1).split():
            configs.update({f"configs/real/{model}.yaml", f"configs/real/{model}.synthetic.yaml"})
        missing = sorted(c for c in configs if "$" not in c and not os.path.exists(os.path.join(ROOT, c)))
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
