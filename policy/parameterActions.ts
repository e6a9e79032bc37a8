/**
 * The SSM actions on parameters, from the Service Authorization Reference (actions whose resource type
 * is `parameter`), grouped by what they let a principal do to the receivers' secrets.
 */

/** The actions that return parameter values (decrypted, with `WithDecryption`): reads. */
export const PARAMETER_READ_ACTIONS = [
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:GetParameterHistory",
];

/**
 * The actions that change a parameter or who may use it: its value (a new receiver URL redirects the
 * notices), its existence, which version a label points at, its tags (tag-based grants follow them), and
 * its resource policy (shares it with other accounts).
 */
export const PARAMETER_WRITE_ACTIONS = [
  "ssm:PutParameter",
  "ssm:DeleteParameter",
  "ssm:DeleteParameters",
  "ssm:LabelParameterVersion",
  "ssm:UnlabelParameterVersion",
  "ssm:AddTagsToResource",
  "ssm:RemoveTagsFromResource",
  "ssm:PutResourcePolicy",
  "ssm:DeleteResourcePolicy",
];
