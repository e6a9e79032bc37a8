/** The account and region the program's mocks and the local commands' sample events stand in for. */
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
