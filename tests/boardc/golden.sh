#!/usr/bin/env bash
echo "SKIP /boardc/golden: not written yet"
