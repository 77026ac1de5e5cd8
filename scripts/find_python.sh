#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (3.13 preferred): PATH first, then pyenv's versions.
# Django 6 needs 3.12+; Debian 12's python3 is 3.11.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3; do
  path=$(command -v "$name" 2>/dev/null) || continue
  if ok "$path"; then "$path" -c 'import sys; print(sys.executable)'; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.13* "$root"/versions/3.12* 2>/dev/null | sort -rV); do
  if ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
done
cat >&2 <<'MSG'
Yingxiao needs Python 3.12 or newer (Django 6), and none was found on PATH or under pyenv.
Install one, for example:
  pyenv install 3.13 && pyenv global 3.13      # with pyenv
  sudo apt-get install python3.13 python3.13-venv   # on Debian/Ubuntu releases that package it
then run `make run` again.
MSG
exit 1
