#!/usr/bin/env bash
# make-brief on Slurm: a job array renders a CSV in 8 shards into a shared folder, then one
# dependent job runs the mail stage over all the shards' manifests.
#
#   sbatch docs/slurm-array.sh candidates.csv /shared/briefs
#
# The mail stage reads its settings from mail.yaml in the folder sbatch was run from (or the file
# $MAIL_CONFIG names), with the keys of `make-brief mail`'s options, for example:
#
#   smtp-host: smtp.example.com
#   smtp-user: coach@example.com
#   from: Coach <coach@example.com>
#
# Each array task gets SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT;
# `--shard auto` makes shard (ID - MIN) of COUNT. A task that is requeued writes the same
# briefs again (atomic, same bytes) and its manifest-<I>-of-8.csv anew.
#SBATCH --job-name=briefs-render
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=briefs-%A_%a.log
set -euo pipefail

TABLE=${1:?the CSV of candidates}
OUT=${2:?the shared output folder}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date -u -d 'today 00:00' +%s)}  # one date for all

if [ -z "${MAIL_STAGE:-}" ]; then
    make-brief "$TABLE" -o "$OUT" --shard auto -j "${SLURM_CPUS_PER_TASK:-1}"
    # the first task queues the mail stage, to start once every task of the array has ended well
    if [ "${SLURM_ARRAY_TASK_ID}" = "${SLURM_ARRAY_TASK_MIN}" ]; then
        # (one process that talks to the SMTP server: one CPU is enough)
        sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=briefs-mail --array=0 \
            --cpus-per-task=1 --export=ALL,MAIL_STAGE=1 "$0" "$TABLE" "$OUT"
    fi
else
    # MAKE_BRIEF_SMTP_PASSWORD comes from the environment sbatch was given (never this file)
    make-brief mail "$OUT" --send --config "${MAIL_CONFIG:-mail.yaml}"
fi
