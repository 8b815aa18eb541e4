#!/usr/bin/env bash
# The data-parallel cases, each run by ctest as distributed.<case>:
#
#   check.sh <case> <dp_train> <work dir> <whether Strata has MPI>
#
# equal_<model>[_<variant>]_np<N>: dp_train alone and under `mpirun -np N` (oversubscribed
#   here: 2 cores) end with the same weights, History and evaluation (1e-6 relative; 1e-5 with
#   synchronized batch normalization).
# reproducible_dropout_np2: two runs with Dropout under mpirun end with identical weights.
# dropout_masks_differ: the ranks draw different masks, and the same ones in a second run.
# rank_throws / rank_killed: rank 1 throws (or SIGKILLs itself) at batch 3; every rank stops,
#   within a bounded time, with an error naming rank 1.
# rank_stalls: rank 1 sleeps at batch 3; rank 0 gives up after STRATA_DISTRIBUTED_TIMEOUT and
#   ends the job.
# model_mismatch / batch_not_divisible: refused at the start with a clear error.
# sync_bn_empty_share: a batch with fewer rows than ranks under synchronized batch normalization
#   is refused on every rank.
# two_hosts: two network namespaces joined by a veth pair, one rank in each, over Open MPI's
#   TCP transport: the same equality, then rank 1 killed mid-epoch.
# Exit 77 (skipped) with the reason when MPI is absent or namespaces cannot be made.
set -uo pipefail
case_name=$1 program=$2 work=$3 has_mpi=$4

skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAILED: $*"
  exit 1
}
[[ $has_mpi == ON || $has_mpi == TRUE || $has_mpi == 1 ]] || skip "this build of Strata has no MPI (STRATA_WITH_MPI)"
command -v mpirun > /dev/null || skip "mpirun is not installed (apt-get install openmpi-bin)"

rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# Open MPI refuses root unless told; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One thread per rank: the ranks share 2 cores. No binding (an oversubscribed run would pin
# ranks to the same core), each output line tagged with its rank, and no single-copy shared
# memory (containers often forbid the cross-process reads it needs).
export OMP_NUM_THREADS=1
# In the sanitizer build, AddressSanitizer and UndefinedBehaviorSanitizer check dp_train, but
# LeakSanitizer does not: Open MPI leaves allocations at exit, made by components it has unloaded
# by then, so their frames are unknown modules that no suppression can name. The same code paths
# of Strata in one process are leak-checked by strata_tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi=(mpirun --oversubscribe --bind-to none --tag-output -x OMP_NUM_THREADS -x STRATA_TEST_FAULT -x STRATA_DP_BUCKET_BYTES
  --mca btl_vader_single_copy_mechanism none)
export STRATA_TEST_FAULT= STRATA_DP_BUCKET_BYTES=

# Runs dp_train alone, then under mpirun with $1 ranks, on model $2, and compares (relative
# tolerance $3, 1e-6 by default).
equal() {
  local ranks=$1 model=$2 tolerance=${3:-1e-6}
  "$program" "$model" one.npz || fail "the single-process run failed"
  "${mpi[@]}" -np "$ranks" "$program" "$model" many.npz || fail "the $ranks-rank run failed"
  "$program" --compare one.npz many.npz "$tolerance" || fail "$ranks ranks did not reach the single process's weights"
}

# Runs `mpirun ...` expecting failure within $1 seconds and output matching every later argument.
expect_failure() {
  local limit=$1
  shift
  local patterns=()
  while [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
  done
  shift
  local started=$SECONDS
  timeout -k 10 "$limit" "$@" > out.txt 2>&1
  local status=$?
  cat out.txt
  # (mpirun itself exits with 128 + the signal that ended a rank: 137 is not always timeout's.)
  ((SECONDS - started >= limit)) && fail "still running after $limit s: a hang"
  ((status != 0)) || fail "the run succeeded"
  for pattern in "${patterns[@]}"; do
    grep -q -- "$pattern" out.txt || fail "no line matching '$pattern' in the output"
  done
  echo "stopped with status $status after $((SECONDS - started)) s"
}

case $case_name in
  equal_mlp_np2) equal 2 mlp ;;
  equal_mlp_np4) equal 4 mlp ;;
  # 4-byte buckets: every variable in a bucket of its own, started during backward.
  equal_mlp_small_buckets_np2) STRATA_DP_BUCKET_BYTES=4 equal 2 mlp ;;
  # 455 training rows: at batch 63 the last batch of 14 splits 4/5/5 over 3 ranks; at batch 452
  # the last batch of 3 leaves one of 4 ranks with no row.
  equal_mlp_uneven_np3) STRATA_TEST_FAULT=batch:63 equal 3 mlp ;;
  equal_mlp_empty_share_np4) STRATA_TEST_FAULT=batch:452 equal 4 mlp ;;
  equal_cnn_np2) equal 2 cnn ;;
  # The statistics' sums of synchronized batch normalization add up in another order on every
  # rank count, and batch normalization amplifies that from step to step (see dp_train.cpp).
  equal_cnn_sync_bn_np2) equal 2 cnn_sync_bn 1e-5 ;;
  equal_cnn_sync_bn_np4) equal 4 cnn_sync_bn 1e-5 ;;
  reproducible_dropout_np2)
    "${mpi[@]}" -np 2 "$program" mlp_dropout first.npz || fail "the first run failed"
    "${mpi[@]}" -np 2 "$program" mlp_dropout second.npz || fail "the second run failed"
    "$program" --compare first.npz second.npz 0 || fail "two runs with dropout differ"
    ;;
  dropout_masks_differ)
    "${mpi[@]}" -np 2 "$program" --masks first_ || fail "the first run failed"
    "${mpi[@]}" -np 2 "$program" --masks second_ || fail "the second run failed"
    "$program" --compare first_0.npz second_0.npz 0 || fail "rank 0 drew another mask in the second run"
    "$program" --compare first_1.npz second_1.npz 0 || fail "rank 1 drew another mask in the second run"
    if "$program" --compare first_0.npz first_1.npz 0; then fail "ranks 0 and 1 drew the same mask"; fi
    ;;
  rank_throws)
    STRATA_TEST_FAULT=throw:1:3 expect_failure 120 \
      "rank 0: rank 1 of 4 failed, so every rank stops: strata::ValueError: the test's callback fails at batch 3" \
      "rank 2: rank 1 of 4 failed" "rank 1: the test's callback fails at batch 3" -- \
      "${mpi[@]}" -np 4 "$program" mlp out.npz
    ;;
  rank_killed)
    STRATA_TEST_FAULT=kill:1:3 expect_failure 120 "process rank 1 .* exited on signal 9" -- \
      "${mpi[@]}" -np 2 "$program" mlp out.npz
    ;;
  rank_stalls)
    # Only Strata's own line is matched: mpirun's "MPI_ABORT was invoked" banner is not always
    # printed (Open MPI 4.1's show_help can fail to unpack it: "Data unpack would read past end
    # of buffer"), while the failing status within the limit is what proves the job ended.
    STRATA_DISTRIBUTED_TIMEOUT=5 STRATA_TEST_FAULT=stall:1:3 expect_failure 120 \
      "rank 0 of 2: the gradient sums did not complete within 5 s (STRATA_DISTRIBUTED_TIMEOUT)" -- \
      "${mpi[@]}" -x STRATA_DISTRIBUTED_TIMEOUT -np 2 "$program" mlp out.npz
    ;;
  sync_bn_empty_share)
    # 82 images: 65 training rows, so the second batch holds 1 row and rank 0's share is empty,
    # which synchronized batch normalization cannot take: every rank refuses it.
    STRATA_TEST_FAULT=images:82 expect_failure 120 \
      "rank 0: synchronized BatchNormalization needs a sample of every batch on each of the 2 processes" \
      "rank 1: synchronized BatchNormalization needs a sample of every batch" -- \
      "${mpi[@]}" -np 2 "$program" cnn_sync_bn out.npz
    ;;
  model_mismatch)
    STRATA_TEST_FAULT=model:1 expect_failure 120 "rank 0: rank 1 built a different model from rank 0's" \
      "rank 1: rank 1 built a different model" -- "${mpi[@]}" -np 2 "$program" mlp out.npz
    ;;
  batch_not_divisible)
    STRATA_TEST_FAULT=batch:63 expect_failure 120 \
      "batch_size=63 is the global batch of the 2 processes training together, so it must divide by 2" -- \
      "${mpi[@]}" -np 2 "$program" mlp out.npz
    ;;
  two_hosts)
    [[ $(id -u) == 0 ]] || skip "network namespaces need root"
    command -v ip > /dev/null || skip "ip (iproute2) is not installed"
    suffix=$$
    a=strata-a-$suffix b=strata-b-$suffix
    cleanup() { ip netns del "$a" 2> /dev/null; ip netns del "$b" 2> /dev/null; }
    trap cleanup EXIT
    ip netns add "$a" 2> /dev/null && ip netns add "$b" || skip "cannot make network namespaces here"
    ip link add "va$suffix" netns "$a" type veth peer name "vb$suffix" netns "$b" || skip "cannot make a veth pair"
    ip -n "$a" addr add 10.231.7.1/24 dev "va$suffix" && ip -n "$b" addr add 10.231.7.2/24 dev "vb$suffix" || exit 1
    for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
    ip -n "$a" link set "va$suffix" up && ip -n "$b" link set "vb$suffix" up || exit 1
    # mpirun runs on host a; it starts its daemon on host b through this stand-in for ssh, which
    # runs the command in b's namespace (the file system is shared, as on a cluster's NFS).
    cat > agent.sh << EOF
#!/bin/sh
shift
exec ip netns exec $b /bin/sh -c "\$*"
EOF
    chmod +x agent.sh
    printf "%s slots=1\n10.231.7.2 slots=1\n" "$(uname -n)" > hostfile
    net=(--hostfile hostfile --mca plm_rsh_agent "$work/agent.sh" --mca btl tcp,self
      --mca btl_tcp_if_include 10.231.7.0/24 --mca oob_tcp_if_include 10.231.7.0/24)
    "$program" mlp one.npz || fail "the single-process run failed"
    ip netns exec "$a" "${mpi[@]}" "${net[@]}" -np 2 "$program" mlp many.npz || fail "the two-host run failed"
    "$program" --compare one.npz many.npz 1e-6 || fail "two hosts did not reach the single process's weights"
    STRATA_TEST_FAULT=kill:1:3 expect_failure 120 "process rank 1 .* exited on signal 9" -- \
      ip netns exec "$a" "${mpi[@]}" "${net[@]}" -np 2 "$program" mlp out.npz
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "passed: $case_name"
