#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run by `meson install` (not for a DESTDIR install): refreshes the
dynamic linker's cache, so that programs find libjanus-1.0.so.0 installed
into a directory of the linker's configuration (/usr/local/lib/<multiarch>
on Debian) without LD_LIBRARY_PATH — as a Debian package's trigger does.
Only root may, and only then is it needed: anybody else installs into a
prefix of their own, which the linker does not search anyway."""

import os
import shutil
import subprocess
import sys


def main():
    if os.environ.get('DESTDIR') or os.environ.get('MESON_INSTALL_DRY_RUN'):
        return 0
    if not hasattr(os, 'geteuid') or os.geteuid() != 0:
        return 0
    ldconfig = shutil.which('ldconfig') or ('/sbin/ldconfig' if os.path.exists('/sbin/ldconfig') else None)
    if ldconfig is None:
        return 0
    print('Refreshing the dynamic linker cache (%s)' % ldconfig)
    return subprocess.call([ldconfig])


if __name__ == '__main__':
    sys.exit(main())
