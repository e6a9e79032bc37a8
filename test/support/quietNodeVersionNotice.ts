// The AWS SDK for JavaScript warns on Node 20 that its releases after the first week of January 2027
// require Node 22 (README.md says so). Its documented switch turns the notice off in the specs' own
// process and in the commands it runs, so that it does not repeat through the test run's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
