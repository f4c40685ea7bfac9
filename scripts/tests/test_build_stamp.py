"""cmake/build_stamp.cmake names the commit a tree holds, also when the tree's .git is a stale snapshot
(as on the GPU machine), through .source-stamp; and says dirty when a tracked file differs."""
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


def stamp_of(tree):
    out = os.path.join(tree, "stamp.cpp")
    subprocess.run(["cmake", f"-DSOURCE_DIR={tree}", f"-DOUTPUT={out}", "-P",
                    os.path.join(ROOT, "cmake", "build_stamp.cmake")], check=True, capture_output=True)
    text = open(out).read()
    commit = text.split('build_git_commit() { return "')[1].split('"')[0]
    return commit, "return true;" in text


@unittest.skipUnless(shutil.which("git") and shutil.which("cmake"), "needs git and cmake")
class BuildStamp(unittest.TestCase):
    def test_a_stale_git_snapshot_does_not_name_the_wrong_commit(self):
        with tempfile.TemporaryDirectory() as d:
            source = os.path.join(d, "source")
            os.makedirs(os.path.join(source, "scripts"))
            shutil.copy(os.path.join(ROOT, "scripts", "stamp-source.sh"), os.path.join(source, "scripts"))
            git(source, "init", "-q")
            with open(os.path.join(source, "a.txt"), "w") as f:
                f.write("old\n")
            git(source, "add", "-A")
            git(source, "commit", "-qm", "old")
            stale = os.path.join(d, "copy")
            shutil.copytree(source, stale)  # its .git stays at "old"
            with open(os.path.join(source, "a.txt"), "w") as f:
                f.write("new\n")
            git(source, "commit", "-qam", "new")
            new = git(source, "rev-parse", "--short=12", "HEAD")
            subprocess.run(["bash", "scripts/stamp-source.sh"], cwd=source, check=True, capture_output=True)
            # Send the tree as the device tool does: files and the stamp, over the stale copy.
            shutil.copy(os.path.join(source, "a.txt"), stale)
            shutil.copy(os.path.join(source, ".source-stamp"), stale)
            self.assertEqual(stamp_of(stale), (new, False))
            with open(os.path.join(stale, "a.txt"), "a") as f:
                f.write("edited\n")
            commit, dirty = stamp_of(stale)
            self.assertTrue(dirty, "an edited tree is dirty whatever the stamp says")
            self.assertNotEqual(commit, new)
