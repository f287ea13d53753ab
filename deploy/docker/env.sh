#!/usr/bin/env bash
# `make env` (and `make up`): write the local secrets of the Compose stack into .env on the first run.
# Every "change-me" of .env.example becomes a random URL-safe value; other lines are copied as they are.
# An existing .env is kept: only the variables it lacks are appended (a newer .env.example may add some), and
# DUNGHAN_OPERATOR_KEY_SHA256 is kept equal to the sha256 of DUNGHAN_OPERATOR_KEY (the services check the hash).
# Needs only bash, od and sha256sum (or shasum): it runs before anything is installed.
set -euo pipefail

example="${1:-.env.example}"
target="${2:-.env}"

random_secret() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }
sha256() {
  if command -v sha256sum >/dev/null; then printf %s "$1" | sha256sum | cut -d' ' -f1
  else printf %s "$1" | shasum -a 256 | cut -d' ' -f1; fi
}
value_of() { sed -n "s/^$1=//p" "$target" | tail -n 1; }

created=0
if [[ ! -f "$target" ]]; then
  umask 077
  : >"$target"
  created=1
fi

added=()
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] || { ((created)) && printf '%s\n' "$line" >>"$target"; continue; }
  key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
  grep -q "^$key=" "$target" && continue
  [[ "$value" == "change-me" ]] && value="$(random_secret)"
  printf '%s=%s\n' "$key" "$value" >>"$target"
  ((created)) || added+=("$key")
done <"$example"

key="$(value_of DUNGHAN_OPERATOR_KEY)"
digest="$(sha256 "$key")"
if [[ "$(value_of DUNGHAN_OPERATOR_KEY_SHA256)" != "$digest" ]]; then
  if grep -q '^DUNGHAN_OPERATOR_KEY_SHA256=' "$target"; then
    sed -i.bak "s/^DUNGHAN_OPERATOR_KEY_SHA256=.*/DUNGHAN_OPERATOR_KEY_SHA256=$digest/" "$target"
    rm -f "$target.bak"
  else
    printf 'DUNGHAN_OPERATOR_KEY_SHA256=%s\n' "$digest" >>"$target"
  fi
fi

if ((created)); then
  echo "wrote $target with new local secrets (keep it: the database and broker volumes are initialised with them)"
elif ((${#added[@]})); then
  echo "kept $target; added ${added[*]}"
fi
if grep -q '=change-me$' "$target"; then
  echo "warning: $target still has change-me values: $(grep '=change-me$' "$target" | cut -d= -f1 | tr '\n' ' ')" >&2
fi
