// Settings a developer's shell may hold for real work, which the specs' process and the commands it runs
// must not take: the specs talk to stand-ins on this machine, and assert what the notifier does in Lambda,
// where the function's settings are the only ones.

// POWERTOOLS_DEV, which Powertools' documentation suggests for local work, and POWERTOOLS_METRICS_DISABLED
// turn metrics off.
for (const name of Object.keys(process.env)) {
  if (name.startsWith("POWERTOOLS_")) Reflect.deleteProperty(process.env, name);
}

// FIPS and dual-stack endpoints, from the environment or an AWS profile (`use_fips_endpoint`, as in
// GovCloud), which the AWS SDK refuses beside the stand-ins' endpoints: the environment's setting
// overrides the profile's.
process.env.AWS_USE_FIPS_ENDPOINT = "false";
process.env.AWS_USE_DUALSTACK_ENDPOINT = "false";
