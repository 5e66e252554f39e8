/* SPDX-License-Identifier: MIT */
/*
 * Tests of slurmjob.c: squeue's and scontrol's lines as Slurm 22.05
 * prints them (and broken ones refused), job ids, and the values rig
 * hands sbatch.
 */
#include <string.h>

#include "lib/slurmjob.h"
#include "unit.h"

TEST(slurmjob_queue_line)
{
	struct slurmjob j;

	ASSERT_EQ(slurmjob_parse_queue("12|RUNNING|0:05|cpu|node1|None|alice|"
	                               "train",
	              &j),
	    0);
	ASSERT_STR_EQ(j.id, "12");
	ASSERT_STR_EQ(j.state, "RUNNING");
	ASSERT_STR_EQ(j.elapsed, "0:05");
	ASSERT_STR_EQ(j.partition, "cpu");
	ASSERT_STR_EQ(j.nodes, "node1");
	ASSERT_STR_EQ(j.reason, "None");
	ASSERT_STR_EQ(j.user, "alice");
	ASSERT_STR_EQ(j.name, "train");
	/* A pending array, its reason with spaces; a name holding '|'. */
	ASSERT_EQ(slurmjob_parse_queue("13_[0-2]|PENDING|0:00|cpu||Resources"
	                               "|bob|a|b c",
	              &j),
	    0);
	ASSERT_STR_EQ(j.id, "13_[0-2]");
	ASSERT_STR_EQ(j.nodes, "");
	ASSERT_STR_EQ(j.name, "a|b c");
	/* Too few fields, no id, a field too long. */
	ASSERT_EQ(slurmjob_parse_queue("12|RUNNING|0:05", &j), -1);
	ASSERT_EQ(slurmjob_parse_queue("", &j), -1);
	ASSERT_EQ(slurmjob_parse_queue("|RUNNING|0|cpu|n|None|u|x", &j), -1);
	{
		char long_line[600];

		memset(long_line, 'x', sizeof(long_line));
		memcpy(long_line, "12|", 3);
		long_line[sizeof(long_line) - 1] = '\0';
		ASSERT_EQ(slurmjob_parse_queue(long_line, &j), -1);
	}
}

TEST(slurmjob_show_line)
{
	static const char running[] =
	    "JobId=12 JobName=my job UserId=alice(1001) GroupId=alice(1001) "
	    "MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) "
	    "JobState=RUNNING Reason=None Dependency=(null) Requeue=1 "
	    "Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:07 "
	    "TimeLimit=UNLIMITED Partition=cpu NodeList=h2 BatchHost=h2 "
	    "Command=/home/alice/work/p/.rig-jobs/run.sh a b "
	    "WorkDir=/home/alice/work/p StdErr=/home/alice/work/p/.rig-jobs/"
	    "12.out StdOut=/home/alice/work/p/.rig-jobs/12.out Power=";
	static const char task[] =
	    "JobId=15 ArrayJobId=13 ArrayTaskId=2 JobName=arr "
	    "UserId=bob(1002) JobState=FAILED Reason=NonZeroExitCode "
	    "ExitCode=3:0 RunTime=00:00:01 Partition=cpu NodeList=(null)";
	struct slurmjob j;

	ASSERT_EQ(slurmjob_parse_show(running, &j), 0);
	ASSERT_STR_EQ(j.id, "12");
	ASSERT_STR_EQ(j.name, "my job");
	ASSERT_STR_EQ(j.user, "alice");
	ASSERT_STR_EQ(j.state, "RUNNING");
	ASSERT_STR_EQ(j.reason, "None");
	ASSERT_STR_EQ(j.exit_code, "0:0");
	ASSERT_STR_EQ(j.elapsed, "00:00:07");
	ASSERT_STR_EQ(j.partition, "cpu");
	ASSERT_STR_EQ(j.nodes, "h2");
	ASSERT_STR_EQ(j.out_path, "/home/alice/work/p/.rig-jobs/12.out");
	ASSERT_EQ(slurmjob_parse_show(task, &j), 0);
	ASSERT_STR_EQ(j.id, "13_2");
	ASSERT_STR_EQ(j.job_id, "15");
	ASSERT_STR_EQ(j.user, "bob");
	ASSERT_STR_EQ(j.exit_code, "3:0");
	ASSERT_STR_EQ(j.nodes, "");
	/* Not scontrol's: no JobId, no state, not key=value. */
	ASSERT_EQ(slurmjob_parse_show("JobName=x JobState=RUNNING", &j), -1);
	ASSERT_EQ(slurmjob_parse_show("JobId=1 JobName=x", &j), -1);
	ASSERT_EQ(slurmjob_parse_show("slurm_load_jobs error: Invalid job id"
	                              " specified",
	              &j),
	    -1);
	ASSERT_EQ(slurmjob_parse_show("", &j), -1);
}

TEST(slurmjob_ids)
{
	int task;

	ASSERT(slurmjob_id_ok("12", &task));
	ASSERT_EQ(task, 0);
	ASSERT(slurmjob_id_ok("12_3", &task));
	ASSERT_EQ(task, 1);
	ASSERT(!slurmjob_id_ok("", NULL));
	ASSERT(!slurmjob_id_ok("12_", NULL));
	ASSERT(!slurmjob_id_ok("_3", NULL));
	ASSERT(!slurmjob_id_ok("1;id", NULL));
	ASSERT(!slurmjob_id_ok("-1", NULL));
	ASSERT(!slurmjob_id_ok("12_3_4", NULL));
	ASSERT(!slurmjob_id_ok("12345678901", NULL));
	ASSERT(!slurmjob_id_ok("../1", NULL));
}

TEST(slurmjob_values)
{
	ASSERT_NULL(slurmjob_name_error("train.v2_a-b"));
	ASSERT(slurmjob_name_error("") != NULL);
	ASSERT(slurmjob_name_error("-x") != NULL);
	ASSERT(slurmjob_name_error("a b") != NULL);
	ASSERT(slurmjob_name_error("a/b") != NULL);
	ASSERT(slurmjob_name_error("rig-server") != NULL);
	ASSERT_NULL(slurmjob_mem_error("512M"));
	ASSERT_NULL(slurmjob_mem_error("4096"));
	ASSERT_NULL(slurmjob_mem_error("4g"));
	ASSERT(slurmjob_mem_error("lots") != NULL);
	ASSERT(slurmjob_mem_error("4GB") != NULL);
	ASSERT(slurmjob_mem_error("M") != NULL);
	ASSERT(slurmjob_mem_error("-1") != NULL);
	ASSERT_NULL(slurmjob_time_error("90"));
	ASSERT_NULL(slurmjob_time_error("1:30:00"));
	ASSERT_NULL(slurmjob_time_error("2-00:00:00"));
	ASSERT_NULL(slurmjob_time_error("2-12"));
	ASSERT(slurmjob_time_error("") != NULL);
	ASSERT(slurmjob_time_error("1h") != NULL);
	ASSERT(slurmjob_time_error("-5") != NULL);
	ASSERT(slurmjob_time_error("1::2") != NULL);
	ASSERT(slurmjob_time_error("1-2-3") != NULL);
	ASSERT(slurmjob_time_error("1:2:3:4") != NULL);
	ASSERT(slurmjob_time_error("2-") != NULL);
	ASSERT_NULL(slurmjob_array_error("0-2"));
	ASSERT_NULL(slurmjob_array_error("1,3,5"));
	ASSERT_NULL(slurmjob_array_error("0-15:4%2"));
	ASSERT(slurmjob_array_error("") != NULL);
	ASSERT(slurmjob_array_error("0--2") != NULL);
	ASSERT(slurmjob_array_error("-2") != NULL);
	ASSERT(slurmjob_array_error("0-2,") != NULL);
	ASSERT(slurmjob_array_error("0-2;id") != NULL);
	ASSERT(slurmjob_state_done("COMPLETED"));
	ASSERT(slurmjob_state_done("CANCELLED"));
	ASSERT(!slurmjob_state_done("RUNNING"));
	ASSERT(!slurmjob_state_done("PENDING"));
}

TEST(slurmjob_out_file)
{
	struct slurmjob j;
	char            path[64];

	memset(&j, 0, sizeof(j));
	strcpy(j.id, "13_2");
	strcpy(j.job_id, "15");
	strcpy(j.name, "arr");
	strcpy(j.user, "bob");
	strcpy(j.out_path, "/home/bob/w/.rig-jobs/%A_%a.out");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), 0);
	ASSERT_STR_EQ(path, "/home/bob/w/.rig-jobs/13_2.out");
	strcpy(j.out_path, "/o/%j-%x-%u-100%%");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), 0);
	ASSERT_STR_EQ(path, "/o/15-arr-bob-100%");
	strcpy(j.out_path, "/o/12.out");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), 0);
	ASSERT_STR_EQ(path, "/o/12.out");
	/* Relative, an unknown pattern, a trailing '%', too long. */
	strcpy(j.out_path, "o/12.out");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), -1);
	strcpy(j.out_path, "/o/%N.out");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), -1);
	strcpy(j.out_path, "/o/%");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), -1);
	strcpy(j.out_path, "/o/%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x");
	ASSERT_EQ(slurmjob_out_file(&j, path, sizeof(path)), -1);
}
