#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What `meson install` gives a user, checked the way a user meets it.

    check-install.py prefix SOURCE_DIR WORK_DIR [--docs]
        configures SOURCE_DIR in WORK_DIR/build with --prefix=WORK_DIR/prefix
        (a prefix of the test's own, no DESTDIR), builds, installs, checks;
    check-install.py system BUILD_DIR
        installs BUILD_DIR into its own prefix (/usr/local by default: run
        as root), checks, then uninstalls (.ci/run does this).

The checks:

- the files: library, headers, pkg-config file, GIR and typelib, the
  PyGObject override in the prefix's site directory, the examples' sources
  (and the HTML reference with --docs);
- C: installed examples (hello.c, market.c) compiled and linked with
  nothing but `pkg-config --cflags --libs janus-1.0`, then run;
- Python: /usr/bin/python3 runs a probe and the installed
  examples/python/hello.py with none of GI_TYPELIB_PATH, PYTHONPATH and
  LD_LIBRARY_PATH set: the typelib and the override are found where they
  were installed (the typelib through the .pth hook, for a prefix that
  libgirepository does not search); a GI_TYPELIB_PATH given by the user
  still comes first.

A prefix of the test's own is not a system one, so the check helps the
tools that no installation configures for it — and only those: the
linker's search path (the C programs get `-Wl,-rpath,LIBDIR`; Python,
which loads the library through the typelib, gets LD_LIBRARY_PATH=LIBDIR),
pkg-config's (PKG_CONFIG_PATH=LIBDIR/pkgconfig) and the site directory,
which Python reads at start-up for /usr/local but not for a directory
under the build tree (the probe calls site.addsitedir(), which processes
the .pth file exactly as start-up does). Installing into /usr/local needs
none of these: that is the `system` mode, run by .ci/run."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

PYTHON = '/usr/bin/python3'         # Debian's, with PyGObject


class CheckFailed(Exception):
    pass


def run(cmd, env=None, cwd=None, timeout=600):
    """Runs cmd; returns its stdout; fails with its output otherwise."""
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise CheckFailed('%s failed (%d):\n%s\n%s' % (' '.join(cmd), proc.returncode,
                                                      proc.stdout, proc.stderr))
    return proc.stdout


def clean_env(**extra):
    """The environment of a user who set nothing for janus-c."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('GI_TYPELIB_PATH', 'PYTHONPATH', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH',
                        'G_DEBUG', 'MALLOC_CHECK_', 'PYTHONHOME', 'PYTHONNOUSERSITE')
           and not k.startswith(('MESON', 'ASAN', 'UBSAN', 'LSAN', 'TSAN'))}
    env.update(extra)
    return env


class Installation:
    """Where a build's files were installed (from `meson introspect`)."""

    def __init__(self, build_dir):
        self.build_dir = build_dir
        installed = json.loads(run(['meson', 'introspect', '--installed', build_dir]))
        self.files = list(installed.values())
        options = {o['name']: o['value'] for o in
                   json.loads(run(['meson', 'introspect', '--buildoptions', build_dir]))}
        self.prefix = options['prefix']
        self.libdir = os.path.join(self.prefix, options['libdir'])
        self.datadir = os.path.join(self.prefix, options['datadir'])

    def find(self, suffix):
        """The one installed file whose path ends with suffix."""
        found = [f for f in self.files if f.endswith(suffix)]
        if len(found) != 1:
            raise CheckFailed('expected one installed file ending with %s, got %s' % (suffix, found))
        return found[0]

    @property
    def override(self):
        return self.find('/gi/overrides/Janus.py')

    @property
    def site_dir(self):
        return os.path.dirname(os.path.dirname(os.path.dirname(self.override)))

    @property
    def examples(self):
        return os.path.dirname(os.path.dirname(self.find('/examples/hello/hello.c')))


def check_files(inst, docs):
    wanted = ['/libjanus-1.0.so.0', '/include/janus-1.0/janus.h',
              '/include/janus-1.0/janus-enums.h', '/include/janus-1.0/janus-version.h',
              '/pkgconfig/janus-1.0.pc', '/gir-1.0/Janus-1.0.gir',
              '/girepository-1.0/Janus-1.0.typelib', '/gi/overrides/Janus.py',
              '/examples/hello/hello.c', '/examples/market/market.c',
              '/examples/python/hello.py']
    if docs:
        wanted.append('/doc/janus-1.0')
    for suffix in wanted:
        path = inst.find(suffix)
        if not os.path.exists(path):
            raise CheckFailed('%s is listed as installed but missing' % path)
    if docs and not os.path.exists(os.path.join(inst.find('/doc/janus-1.0'), 'index.html')):
        raise CheckFailed('the HTML reference has no index.html')
    print('ok - the files are installed under', inst.prefix)


def check_c(inst, work, env, rpath):
    flags = run(['pkg-config', '--cflags', '--libs', 'janus-1.0'], env=env).split()
    if not any(f.startswith('-I') and f.startswith('-I' + inst.prefix) for f in flags):
        raise CheckFailed('pkg-config names no include directory of %s: %s' % (inst.prefix, flags))
    if rpath:
        flags.append('-Wl,-rpath,' + inst.libdir)
    for name, args, expect in (('hello', [], 'Hello, World!'),
                               ('market', ['--rounds', '2'], None)):
        source = os.path.join(inst.examples, name, name + '.c')
        program = os.path.join(work, name)
        run(['cc', '-std=c11', '-o', program, source] + flags, env=env)
        out = run([program] + args, env=env)
        if expect is not None and out.count(expect) != 3:
            raise CheckFailed('%s printed:\n%s' % (name, out))
        print('ok - %s.c built with `pkg-config --cflags --libs janus-1.0` and ran' % name)


PROBE = '''\
import os, sys
site_dir, prefix, mode = sys.argv[1:4]
if site_dir:
    import site
    site.addsitedir(site_dir)        # what start-up does for /usr/local
import gi
gi.require_version("Janus", "1.0")
from gi.repository import GIRepository, Janus
typelib = GIRepository.Repository.get_default().get_typelib_path("Janus")
import gi.overrides.Janus as override
print("typelib", typelib)
print("override", override.__file__)
if mode == "installed":
    assert typelib.startswith(prefix + "/"), typelib
    assert override.__file__.startswith(prefix + "/"), override.__file__
    assert hasattr(Janus.Mailbox, "__iter__"), "the override is not applied"
    kernel = Janus.Kernel.new(0)
    class Once(Janus.Agent):
        def do_live(self):
            print("lived")
            return Janus.Live.DONE
    kernel.launch_light_agent(Once(), "once", None)
    kernel.run()
'''


def check_python(inst, work, env, site_dir, build_typelib_dir):
    probe = os.path.join(work, 'probe.py')
    with open(probe, 'w') as f:
        f.write(PROBE)
    out = run([PYTHON, probe, site_dir, inst.prefix, 'installed'], env=env)
    if 'lived' not in out:
        raise CheckFailed('the probe did not run its agent:\n' + out)
    print('ok - Python finds the installed typelib and override:',
          ' '.join(line.split()[1] for line in out.splitlines()[:2]))

    # the installed example, run as a user would
    runner = textwrap.dedent('''\
        import runpy, site, sys
        if sys.argv[1]:
            site.addsitedir(sys.argv[1])
        sys.argv = sys.argv[2:]
        runpy.run_path(sys.argv[0], run_name="__main__")
        ''')
    hello = os.path.join(inst.examples, 'python', 'hello.py')
    if site_dir:
        out = run([PYTHON, '-c', runner, site_dir, hello], env=env)
    else:
        out = run([hello], env=env)
    if out.count('Hello, World!') != 3:
        raise CheckFailed('examples/python/hello.py printed:\n' + out)
    print('ok - the installed examples/python/hello.py ran')

    # a typelib named by GI_TYPELIB_PATH (a build tree's) still comes first
    if build_typelib_dir:
        env2 = dict(env, GI_TYPELIB_PATH=build_typelib_dir)
        out = run([PYTHON, probe, site_dir, inst.prefix, 'build'], env=env2)
        typelib = out.splitlines()[0].split()[1]
        if not typelib.startswith(build_typelib_dir + '/'):
            raise CheckFailed('with GI_TYPELIB_PATH=%s the typelib came from %s'
                              % (build_typelib_dir, typelib))
        print('ok - GI_TYPELIB_PATH still comes first')


def mode_prefix(source_dir, work_dir, docs):
    build = os.path.join(work_dir, 'build')
    prefix = os.path.join(work_dir, 'prefix')
    if not os.path.exists(os.path.join(build, 'build.ninja')):
        run(['meson', 'setup', build, source_dir, '--prefix', prefix,
             '-Dtests=false', '-Dbench=false', '-Ddocs=%s' % ('true' if docs else 'false'),
             '-Dintrospection=enabled', '-Db_sanitize=none'], env=clean_env())
    run(['ninja', '-C', build], env=clean_env(), timeout=1800)
    shutil.rmtree(prefix, ignore_errors=True)
    run(['meson', 'install', '-C', build, '--no-rebuild', '--quiet'], env=clean_env())
    inst = Installation(build)
    check_files(inst, docs)
    with tempfile.TemporaryDirectory(dir=work_dir) as work:
        # a prefix of the test's own: see the module's doc
        check_c(inst, work, clean_env(PKG_CONFIG_PATH=os.path.join(inst.libdir, 'pkgconfig')),
                rpath=True)
        check_python(inst, work, clean_env(LD_LIBRARY_PATH=inst.libdir), inst.site_dir,
                     os.path.join(build, 'janus-c'))


def mode_system(build_dir):
    inst = Installation(build_dir)
    run(['meson', 'install', '-C', build_dir, '--no-rebuild', '--quiet'], env=clean_env())
    try:
        check_files(inst, os.path.exists(os.path.join(build_dir, 'doc', 'janus-1.0')))
        with tempfile.TemporaryDirectory() as work:
            check_c(inst, work, clean_env(), rpath=False)
            check_python(inst, work, clean_env(), '', os.path.join(build_dir, 'janus-c'))
    finally:
        run(['ninja', '-C', build_dir, 'uninstall'], env=clean_env())
        if os.geteuid() == 0 and shutil.which('ldconfig'):
            run(['ldconfig'])


def main(argv):
    try:
        if len(argv) >= 4 and argv[1] == 'prefix':
            mode_prefix(os.path.abspath(argv[2]), os.path.abspath(argv[3]), '--docs' in argv[4:])
        elif len(argv) == 3 and argv[1] == 'system':
            mode_system(os.path.abspath(argv[2]))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print('not ok -', e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
