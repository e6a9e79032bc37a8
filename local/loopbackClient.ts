/**
 * The settings of an AWS SDK client that talks to a stand-in on this machine (dynalite, the parameter
 * store): its own region and credentials, and neither FIPS nor dual-stack endpoints, which the SDK would
 * otherwise take from the user's environment or AWS profile (`AWS_USE_FIPS_ENDPOINT`,
 * `use_fips_endpoint`) and then refuse beside an endpoint of its own.
 */
export function loopbackClient(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
  };
}
