#!/usr/bin/env bash
# Writes the class path of a stock Kafka Connect worker for each version given, one file each:
# <out>/<version>.classpath (see pom.xml). Run by the main build before the integration tests.
# Usage: resolve.sh <mvn> <local repository> <out dir> <version,version,...>
set -euo pipefail
mvn=$1 repo=$2 out=$3 versions=$4
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
IFS=',' read -ra list <<< "$versions"
for version in "${list[@]}"; do
  file="$out/$version.classpath"
  [ -s "$file" ] && continue
  case "$version" in
    3.0.*|3.1.*) logging=() ;;
    3.*) logging=(-P reload4j) ;;
    *) logging=(-P log4j2) ;;
  esac
  # Not offline: the parent build may be, but a version's jars are fetched once and cached.
  "$mvn" -B -q -f "$here/pom.xml" -Dmaven.repo.local="$repo" -Dconnect.version="$version" "${logging[@]}" \
    dependency:build-classpath -Dmdep.outputFile="$file.tmp"
  mv "$file.tmp" "$file"
done
