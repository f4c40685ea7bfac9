#!/usr/bin/env bash
# A stand-in for `scbench worker` in the worker-pool tests: answers each case key with an ok result, except
# that a key containing "crash" kills the worker and one containing "hang" never returns.
echo "{\"environment\": {\"gpu\": {\"name\": \"fake\", \"uuid\": \"GPU-fake-${CUDA_VISIBLE_DEVICES:-none}\"}}}"
while IFS= read -r key; do
  case "$key" in
    *crash*) kill -9 $$ ;;
    *hang*) sleep 1000 ;;
  esac
  echo "{\"case\": {\"key\": \"$key\"}, \"status\": \"ok\", \"gpu\": {\"uuid\": \"GPU-fake-${CUDA_VISIBLE_DEVICES:-none}\"}}"
done
