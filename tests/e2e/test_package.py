"""The Debian package (issue 17, "Install and run"): CPack builds it from this build, lintian
finds nothing, and on this machine (root, a throwaway CI box or a developer's, jopay not yet
installed) it installs, runs as the jopay user, upgrades keeping data and an edited config,
and purges leaving nothing. The unit passes `systemd-analyze verify` once installed."""
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import JOPAYD

BUILD = os.path.dirname(os.path.abspath(JOPAYD))
CONFFILE = "/etc/jopay/jopayd.conf"


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def installed():
    r = run("dpkg-query", "-W", "-f=${Status}", "jopay")
    return r.returncode == 0 and "install ok installed" in r.stdout


@unittest.skipIf(os.environ.get("JOPAY_SANITIZER_REPORTS"), "the package is the normal build's")
class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run("cpack", "-G", "DEB", cwd=BUILD)
        assert r.returncode == 0, r.stdout + r.stderr
        version = run(JOPAYD, "--version").stdout.strip()
        arch = run("dpkg", "--print-architecture").stdout.strip()
        cls.deb = os.path.join(BUILD, f"jopay_{version}_{arch}.deb")
        assert os.path.exists(cls.deb), cls.deb

    def test_contents_are_where_debian_looks(self):
        listing = run("dpkg-deb", "-c", self.deb).stdout
        for path in ("./usr/sbin/jopayd", "./usr/bin/jopayctl", "./etc/jopay/jopayd.conf",
                     "./lib/systemd/system/jopayd.service",
                     "./usr/share/man/man8/jopayd.8.gz", "./usr/share/man/man5/jopayd.conf.5.gz",
                     "./usr/share/man/man1/jopayctl.1.gz",
                     "./usr/share/bash-completion/completions/jopayctl",
                     "./usr/share/zsh/vendor-completions/_jopayctl",
                     "./usr/share/fish/vendor_completions.d/jopayctl.fish",
                     "./usr/share/doc/jopay/copyright"):
            self.assertIn(path, listing)
        control = run("dpkg-deb", "-I", self.deb).stdout
        self.assertIn("conffiles", control)
        self.assertIn("libsystemd0", control)  # shlibdeps found what jopayd links

    @unittest.skipUnless(shutil.which("lintian"), "lintian is not installed")
    def test_lintian_finds_nothing(self):
        r = run("lintian", "--tag-display-limit", "0", self.deb)
        tags = [l for l in r.stdout.splitlines() if l[:2] in ("E:", "W:")]
        self.assertEqual(tags, [], r.stdout)

    @unittest.skipUnless(os.geteuid() == 0 and not installed() and
                         not os.path.exists("/usr/sbin/jopayd"),
                         "needs root and a machine without jopay installed")
    def test_install_run_upgrade_remove_purge(self):
        self.addCleanup(run, "dpkg", "--purge", "jopay")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        r = run("dpkg", "-i", self.deb, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        user = pwd.getpwnam("jopay")
        self.assertEqual(user.pw_dir, "/var/lib/jopay")
        st = os.stat("/var/lib/jopay")
        self.assertEqual((st.st_uid, oct(st.st_mode & 0o777)), (user.pw_uid, "0o750"))
        r = run("systemd-analyze", "verify", "--man=no", "/lib/systemd/system/jopayd.service")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        self.run_installed(user)
        # The operator edits the config; an upgrade keeps it and the data.
        with open(CONFFILE, "a") as f:
            f.write('merchant-name = "Kept Ltd"\n')
        r = run("dpkg", "--force-confold", "-i", self.newer_version(), env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('merchant-name = "Kept Ltd"', open(CONFFILE).read())
        self.assertTrue(os.path.exists("/var/lib/jopay/jopay.db"))
        # Remove keeps data and config; purge takes both and the user.
        self.assertEqual(run("dpkg", "--remove", "jopay", env=env).returncode, 0)
        self.assertFalse(os.path.exists("/usr/sbin/jopayd"))
        self.assertTrue(os.path.exists("/var/lib/jopay/jopay.db"))
        self.assertTrue(os.path.exists(CONFFILE))
        self.assertEqual(run("dpkg", "--purge", "jopay", env=env).returncode, 0)
        for path in ("/var/lib/jopay", "/etc/jopay"):
            self.assertFalse(os.path.exists(path), path)
        self.assertNotEqual(run("getent", "passwd", "jopay").returncode, 0)

    def run_installed(self, user):
        """The installed jopayd, as the unit runs it (user jopay, the packaged config), answers
        the installed jopayctl."""
        sock_dir = tempfile.mkdtemp(prefix="jopay-pkg-")
        self.addCleanup(shutil.rmtree, sock_dir, True)
        os.chown(sock_dir, user.pw_uid, user.pw_gid)
        sock = os.path.join(sock_dir, "jopayd.sock")
        proc = subprocess.Popen(["/usr/sbin/jopayd", "--config", CONFFILE, "--data-dir",
                                 "/var/lib/jopay", "--socket", sock, "--listen", "127.0.0.1:0"],
                                user="jopay", group="jopay", extra_groups=[],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for _ in range(100):
                r = run("/usr/bin/jopayctl", "--socket", sock, "-o", "json", "status")
                if r.returncode == 0:
                    break
                time.sleep(0.1)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["data_dir"], "/var/lib/jopay")
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=30), 0, proc.stdout.read())

    def newer_version(self):
        """This package as version X+1 (an upgrade with the same files)."""
        root = tempfile.mkdtemp(prefix="jopay-deb-")
        self.addCleanup(shutil.rmtree, root, True)
        tree = os.path.join(root, "tree")
        self.assertEqual(run("dpkg-deb", "-R", self.deb, tree).returncode, 0)
        control = os.path.join(tree, "DEBIAN", "control")
        text = open(control).read()
        version = next(l.split(": ")[1] for l in text.splitlines() if l.startswith("Version:"))
        with open(control, "w") as f:
            f.write(text.replace(f"Version: {version}", f"Version: {version}+1"))
        out = os.path.join(root, "newer.deb")
        r = run("dpkg-deb", "--root-owner-group", "-b", tree, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out


if __name__ == "__main__":
    unittest.main()
