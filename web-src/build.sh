#!/usr/bin/env bash
# Builds timebank's vendored front-end files from govuk-frontend (MIT) into
# timebank/web/static/. The built files are committed, so installing or running
# timebank needs no Node; run this only to change the styles or upgrade
# govuk-frontend (keep its version in step with govuk-frontend-jinja).
#
#   web-src/build.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
static="$here/../timebank/web/static"
cd "$here"

npm ci --no-audit --no-fund --ignore-scripts  # sass needs no install scripts
mkdir -p "$static"

# package.json's "build": sass, compressed, into $static/timebank.css
npm run --silent build

frontend=node_modules/govuk-frontend
# Without its source map comment: the map is not shipped, and a browser's tools would ask for it.
sed 's|//# sourceMappingURL=[^ ]*$||' "$frontend/dist/govuk/govuk-frontend.min.js" > "$static/govuk-frontend.min.js"

# The npm package of govuk-frontend 6.3.0 ships no licence file; web-src keeps
# a copy of the repository's LICENSE.txt. Prefer the package's own if it has one.
licence="$here/govuk-frontend-LICENSE.txt"
for f in "$frontend"/LICENSE "$frontend"/LICENSE.txt "$frontend"/LICENSE.md; do
  if [[ -f "$f" ]]; then licence="$f"; break; fi
done
cp "$licence" "$static/govuk-frontend-LICENSE.txt"

# Loaded as <script type="module" src=".../init.js">, so it runs under a
# Content-Security-Policy of script-src 'self' (no inline script). govuk-frontend
# only initialises components when <body> has the govuk-frontend-supported class,
# which its page template sets with an inline script; here the module sets it.
# Browsers without ES modules never run this, so they keep the no-JS behaviour.
cat > "$static/init.js" <<'JS'
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
JS

# timebank is not a government service: stop if any GOV.UK brand asset got in.
if grep -Eq 'GDS Transport|url\(|@font-face' "$static/timebank.css"; then
  echo "build.sh: timebank.css refers to a font or image (GOV.UK brand?)" >&2
  exit 1
fi

ls -l "$static"
