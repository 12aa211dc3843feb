#!/bin/sh
# Creates the namespace, waits until the server serves it, then registers the saga's
# search attributes (src/shared/search-attributes.ts) in it. Fails loudly: the product
# must not start without them.
set -eu
ns="${NAMESPACE:-default}"
temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$ns" --retention 7d
tries=0
until temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; do
  tries=$((tries + 1)); [ "$tries" -gt 60 ] && { echo "namespace $ns never became available" >&2; exit 1; }
  sleep 1
done
temporal operator search-attribute create --namespace "$ns" \
  --name BookingId --type Keyword --name SalonId --type Keyword \
  --name Priority --type Keyword --name BookingStatus --type Keyword \
  --name NeedsAttention --type Bool 2>/dev/null || true
# Whatever the create said (they may exist already), every one must be there now.
list="$(temporal operator search-attribute list --namespace "$ns")"
for name in BookingId SalonId Priority BookingStatus NeedsAttention; do
  echo "$list" | grep -q "$name" || { echo "search attribute $name is missing" >&2; exit 1; }
done
echo "namespace $ns ready with its search attributes"
