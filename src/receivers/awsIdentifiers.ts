/** A 12-digit AWS account ID. */
export const ACCOUNT_ID = /^\d{12}$/;

/** A region's shape: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1. */
export const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;
