/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation BackOfficeLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.BackOfficeLoginDocument,
    "\n  mutation BackOfficeLogout {\n    logout { session { id } userErrors { message code } }\n  }\n": typeof types.BackOfficeLogoutDocument,
    "\n  query BackOfficeThisDevice {\n    thisDevice { known }\n  }\n": typeof types.BackOfficeThisDeviceDocument,
    "\n  query BackOfficeViewer {\n    viewer { user { id displayName role } organisation { id name } }\n  }\n": typeof types.BackOfficeViewerDocument,
    "\n  query AuditEvents {\n    auditEvents(first: 100) {\n      nodes { id type createdAt ipAddress data actor { id displayName } device { id name } }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query ConnectionCodes {\n    connectionCodes(first: 100) {\n      nodes {\n        id description deviceType status useCount singleUse expiresAt lastPairedAt\n        configuration { id name }\n      }\n    }\n  }\n": typeof types.ConnectionCodesDocument,
    "\n  query ConnectionCodeForm {\n    deviceTypes { key label }\n    configurations(first: 100) { nodes { id name } }\n  }\n": typeof types.ConnectionCodeFormDocument,
    "\n  mutation ConnectionCodeCreate($input: ConnectionCodeCreateInput!) {\n    connectionCodeCreate(input: $input) {\n      connectionCode { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.ConnectionCodeCreateDocument,
    "\n  query ConnectionCode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ConnectionCode {\n        id description deviceType status useCount singleUse expiresAt code pairingUri\n        qrCode(format: SVG)\n        configuration { id name }\n        devices(first: 100) { nodes { id name status } }\n      }\n    }\n  }\n": typeof types.ConnectionCodeDocument,
    "\n  mutation ConnectionCodeRevoke($id: ID!, $revokeDevices: Boolean!) {\n    connectionCodeRevoke(input: { id: $id, revokeDevices: $revokeDevices }) {\n      connectionCode { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.ConnectionCodeRevokeDocument,
    "\n  query Configurations {\n    configurations(first: 100) { nodes { id name description createdAt } }\n  }\n": typeof types.ConfigurationsDocument,
    "\n  mutation ConfigurationCreate($name: String!, $description: String!) {\n    configurationCreate(input: { name: $name, description: $description }) {\n      configuration { id name description createdAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.ConfigurationCreateDocument,
    "\n  mutation ConfigurationDelete($id: ID!) {\n    configurationDelete(input: { id: $id }) {\n      configuration { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.ConfigurationDeleteDocument,
    "\n  query PinLogin {\n    organisation { id pinLoginEnabled }\n    devices(first: 100) {\n      nodes { id name deviceType status online lastSeenAt appVersion }\n    }\n  }\n": typeof types.PinLoginDocument,
    "\n  mutation PinLoginSet($enabled: Boolean!) {\n    organisationUpdate(input: { pinLoginEnabled: $enabled }) {\n      organisation { id pinLoginEnabled }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.PinLoginSetDocument,
    "\n  mutation DeviceRename($id: ID!, $name: String!) {\n    deviceRename(input: { id: $id, name: $name }) {\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.DeviceRenameDocument,
    "\n  mutation DeviceRevoke($id: ID!) {\n    deviceRevoke(input: { id: $id }) {\n      device { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.DeviceRevokeDocument,
    "\n  mutation DeviceDelete($id: ID!) {\n    deviceDelete(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.DeviceDeleteDocument,
    "\n  mutation DeviceLogout($id: ID!) {\n    deviceLogout(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.DeviceLogoutDocument,
    "\n  query DeviceDetails($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Device {\n        id name deviceType status online appVersion lastSeenAt approvedAt\n        configuration { id name }\n        sessions(first: 50) {\n          nodes {\n            id method ipAddress createdAt endedAt endReason locked active\n            user { id displayName }\n          }\n        }\n      }\n    }\n  }\n": typeof types.DeviceDetailsDocument,
    "\n  query Users {\n    users(first: 100) { nodes { id username displayName role loginMethod hasPin } }\n  }\n": typeof types.UsersDocument,
    "\n  mutation UserCreate($input: UserCreateInput!) {\n    userCreate(input: $input) {\n      user { id displayName }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.UserCreateDocument,
    "\n  mutation UserResetPin($id: ID!) {\n    userUpdate(input: { id: $id, generatePin: true }) {\n      user { id displayName hasPin }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.UserResetPinDocument,
    "\n  mutation UserDelete($id: ID!) {\n    userDelete(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.UserDeleteDocument,
    "\n  mutation UserLogout($id: ID!) {\n    userLogout(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.UserLogoutDocument,
    "\n  subscription ConnectionCodeEvents($id: ID!) {\n    connectionCodeEvents(id: $id) {\n      type\n      at\n      connectionCode { id status useCount }\n      device { id name }\n    }\n  }\n": typeof types.ConnectionCodeEventsDocument,
    "\n  subscription DeviceEvents($id: ID) {\n    deviceEvents(id: $id) { type deviceId at }\n  }\n": typeof types.DeviceEventsDocument,
    "\n  mutation RegisterPair($code: String!, $name: String) {\n    devicePair(input: { code: $code, name: $name }) {\n      deviceToken\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.RegisterPairDocument,
    "\n  query RegisterThisDevice {\n    thisDevice {\n      known approved pinLoginAvailable name organisationName\n      lockedSession { lockedAt user { displayName } }\n    }\n  }\n": typeof types.RegisterThisDeviceDocument,
    "\n  mutation RegisterPinLogin($pin: String!) {\n    loginWithPin(input: { pin: $pin }) {\n      token\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.RegisterPinLoginDocument,
    "\n  mutation RegisterPasswordLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.RegisterPasswordLoginDocument,
    "\n  query RegisterViewer {\n    viewer { user { id displayName role } session { id method } }\n  }\n": typeof types.RegisterViewerDocument,
    "\n  mutation RegisterLock {\n    sessionLock(input: {}) {\n      session { id locked }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.RegisterLockDocument,
    "\n  mutation RegisterLogout {\n    logout { session { id } userErrors { message code } }\n  }\n": typeof types.RegisterLogoutDocument,
    "\n  query OverrideActions {\n    overrideActions { key label approverRoles }\n  }\n": typeof types.OverrideActionsDocument,
    "\n  mutation OverrideApprove($pin: String!, $action: OverrideAction!, $reason: String!) {\n    overrideApprove(input: { pin: $pin, action: $action, reason: $reason }) {\n      overrideToken\n      override { id action reason expiresAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.OverrideApproveDocument,
    "\n  subscription ThisDeviceEvents {\n    thisDeviceEvents { type deviceId at }\n  }\n": typeof types.ThisDeviceEventsDocument,
    "\n  mutation ApproveThisDevice($name: String!) {\n    deviceApprove(input: { name: $name }) {\n      device { id name status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.ApproveThisDeviceDocument,
    "\n  mutation DeclineThisDevice($dontAskAgain: Boolean!) {\n    deviceDeclineApproval(input: { dontAskAgain: $dontAskAgain }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": typeof types.DeclineThisDeviceDocument,
};
const documents: Documents = {
    "\n  mutation BackOfficeLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.BackOfficeLoginDocument,
    "\n  mutation BackOfficeLogout {\n    logout { session { id } userErrors { message code } }\n  }\n": types.BackOfficeLogoutDocument,
    "\n  query BackOfficeThisDevice {\n    thisDevice { known }\n  }\n": types.BackOfficeThisDeviceDocument,
    "\n  query BackOfficeViewer {\n    viewer { user { id displayName role } organisation { id name } }\n  }\n": types.BackOfficeViewerDocument,
    "\n  query AuditEvents {\n    auditEvents(first: 100) {\n      nodes { id type createdAt ipAddress data actor { id displayName } device { id name } }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query ConnectionCodes {\n    connectionCodes(first: 100) {\n      nodes {\n        id description deviceType status useCount singleUse expiresAt lastPairedAt\n        configuration { id name }\n      }\n    }\n  }\n": types.ConnectionCodesDocument,
    "\n  query ConnectionCodeForm {\n    deviceTypes { key label }\n    configurations(first: 100) { nodes { id name } }\n  }\n": types.ConnectionCodeFormDocument,
    "\n  mutation ConnectionCodeCreate($input: ConnectionCodeCreateInput!) {\n    connectionCodeCreate(input: $input) {\n      connectionCode { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.ConnectionCodeCreateDocument,
    "\n  query ConnectionCode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ConnectionCode {\n        id description deviceType status useCount singleUse expiresAt code pairingUri\n        qrCode(format: SVG)\n        configuration { id name }\n        devices(first: 100) { nodes { id name status } }\n      }\n    }\n  }\n": types.ConnectionCodeDocument,
    "\n  mutation ConnectionCodeRevoke($id: ID!, $revokeDevices: Boolean!) {\n    connectionCodeRevoke(input: { id: $id, revokeDevices: $revokeDevices }) {\n      connectionCode { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.ConnectionCodeRevokeDocument,
    "\n  query Configurations {\n    configurations(first: 100) { nodes { id name description createdAt } }\n  }\n": types.ConfigurationsDocument,
    "\n  mutation ConfigurationCreate($name: String!, $description: String!) {\n    configurationCreate(input: { name: $name, description: $description }) {\n      configuration { id name description createdAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.ConfigurationCreateDocument,
    "\n  mutation ConfigurationDelete($id: ID!) {\n    configurationDelete(input: { id: $id }) {\n      configuration { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.ConfigurationDeleteDocument,
    "\n  query PinLogin {\n    organisation { id pinLoginEnabled }\n    devices(first: 100) {\n      nodes { id name deviceType status online lastSeenAt appVersion }\n    }\n  }\n": types.PinLoginDocument,
    "\n  mutation PinLoginSet($enabled: Boolean!) {\n    organisationUpdate(input: { pinLoginEnabled: $enabled }) {\n      organisation { id pinLoginEnabled }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.PinLoginSetDocument,
    "\n  mutation DeviceRename($id: ID!, $name: String!) {\n    deviceRename(input: { id: $id, name: $name }) {\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.DeviceRenameDocument,
    "\n  mutation DeviceRevoke($id: ID!) {\n    deviceRevoke(input: { id: $id }) {\n      device { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.DeviceRevokeDocument,
    "\n  mutation DeviceDelete($id: ID!) {\n    deviceDelete(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.DeviceDeleteDocument,
    "\n  mutation DeviceLogout($id: ID!) {\n    deviceLogout(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.DeviceLogoutDocument,
    "\n  query DeviceDetails($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Device {\n        id name deviceType status online appVersion lastSeenAt approvedAt\n        configuration { id name }\n        sessions(first: 50) {\n          nodes {\n            id method ipAddress createdAt endedAt endReason locked active\n            user { id displayName }\n          }\n        }\n      }\n    }\n  }\n": types.DeviceDetailsDocument,
    "\n  query Users {\n    users(first: 100) { nodes { id username displayName role loginMethod hasPin } }\n  }\n": types.UsersDocument,
    "\n  mutation UserCreate($input: UserCreateInput!) {\n    userCreate(input: $input) {\n      user { id displayName }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.UserCreateDocument,
    "\n  mutation UserResetPin($id: ID!) {\n    userUpdate(input: { id: $id, generatePin: true }) {\n      user { id displayName hasPin }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.UserResetPinDocument,
    "\n  mutation UserDelete($id: ID!) {\n    userDelete(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.UserDeleteDocument,
    "\n  mutation UserLogout($id: ID!) {\n    userLogout(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.UserLogoutDocument,
    "\n  subscription ConnectionCodeEvents($id: ID!) {\n    connectionCodeEvents(id: $id) {\n      type\n      at\n      connectionCode { id status useCount }\n      device { id name }\n    }\n  }\n": types.ConnectionCodeEventsDocument,
    "\n  subscription DeviceEvents($id: ID) {\n    deviceEvents(id: $id) { type deviceId at }\n  }\n": types.DeviceEventsDocument,
    "\n  mutation RegisterPair($code: String!, $name: String) {\n    devicePair(input: { code: $code, name: $name }) {\n      deviceToken\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.RegisterPairDocument,
    "\n  query RegisterThisDevice {\n    thisDevice {\n      known approved pinLoginAvailable name organisationName\n      lockedSession { lockedAt user { displayName } }\n    }\n  }\n": types.RegisterThisDeviceDocument,
    "\n  mutation RegisterPinLogin($pin: String!) {\n    loginWithPin(input: { pin: $pin }) {\n      token\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.RegisterPinLoginDocument,
    "\n  mutation RegisterPasswordLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.RegisterPasswordLoginDocument,
    "\n  query RegisterViewer {\n    viewer { user { id displayName role } session { id method } }\n  }\n": types.RegisterViewerDocument,
    "\n  mutation RegisterLock {\n    sessionLock(input: {}) {\n      session { id locked }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.RegisterLockDocument,
    "\n  mutation RegisterLogout {\n    logout { session { id } userErrors { message code } }\n  }\n": types.RegisterLogoutDocument,
    "\n  query OverrideActions {\n    overrideActions { key label approverRoles }\n  }\n": types.OverrideActionsDocument,
    "\n  mutation OverrideApprove($pin: String!, $action: OverrideAction!, $reason: String!) {\n    overrideApprove(input: { pin: $pin, action: $action, reason: $reason }) {\n      overrideToken\n      override { id action reason expiresAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.OverrideApproveDocument,
    "\n  subscription ThisDeviceEvents {\n    thisDeviceEvents { type deviceId at }\n  }\n": types.ThisDeviceEventsDocument,
    "\n  mutation ApproveThisDevice($name: String!) {\n    deviceApprove(input: { name: $name }) {\n      device { id name status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.ApproveThisDeviceDocument,
    "\n  mutation DeclineThisDevice($dontAskAgain: Boolean!) {\n    deviceDeclineApproval(input: { dontAskAgain: $dontAskAgain }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n": types.DeclineThisDeviceDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BackOfficeLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation BackOfficeLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BackOfficeLogout {\n    logout { session { id } userErrors { message code } }\n  }\n"): (typeof documents)["\n  mutation BackOfficeLogout {\n    logout { session { id } userErrors { message code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BackOfficeThisDevice {\n    thisDevice { known }\n  }\n"): (typeof documents)["\n  query BackOfficeThisDevice {\n    thisDevice { known }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BackOfficeViewer {\n    viewer { user { id displayName role } organisation { id name } }\n  }\n"): (typeof documents)["\n  query BackOfficeViewer {\n    viewer { user { id displayName role } organisation { id name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents {\n    auditEvents(first: 100) {\n      nodes { id type createdAt ipAddress data actor { id displayName } device { id name } }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents {\n    auditEvents(first: 100) {\n      nodes { id type createdAt ipAddress data actor { id displayName } device { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectionCodes {\n    connectionCodes(first: 100) {\n      nodes {\n        id description deviceType status useCount singleUse expiresAt lastPairedAt\n        configuration { id name }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConnectionCodes {\n    connectionCodes(first: 100) {\n      nodes {\n        id description deviceType status useCount singleUse expiresAt lastPairedAt\n        configuration { id name }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectionCodeForm {\n    deviceTypes { key label }\n    configurations(first: 100) { nodes { id name } }\n  }\n"): (typeof documents)["\n  query ConnectionCodeForm {\n    deviceTypes { key label }\n    configurations(first: 100) { nodes { id name } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConnectionCodeCreate($input: ConnectionCodeCreateInput!) {\n    connectionCodeCreate(input: $input) {\n      connectionCode { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation ConnectionCodeCreate($input: ConnectionCodeCreateInput!) {\n    connectionCodeCreate(input: $input) {\n      connectionCode { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectionCode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ConnectionCode {\n        id description deviceType status useCount singleUse expiresAt code pairingUri\n        qrCode(format: SVG)\n        configuration { id name }\n        devices(first: 100) { nodes { id name status } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConnectionCode($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ConnectionCode {\n        id description deviceType status useCount singleUse expiresAt code pairingUri\n        qrCode(format: SVG)\n        configuration { id name }\n        devices(first: 100) { nodes { id name status } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConnectionCodeRevoke($id: ID!, $revokeDevices: Boolean!) {\n    connectionCodeRevoke(input: { id: $id, revokeDevices: $revokeDevices }) {\n      connectionCode { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation ConnectionCodeRevoke($id: ID!, $revokeDevices: Boolean!) {\n    connectionCodeRevoke(input: { id: $id, revokeDevices: $revokeDevices }) {\n      connectionCode { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Configurations {\n    configurations(first: 100) { nodes { id name description createdAt } }\n  }\n"): (typeof documents)["\n  query Configurations {\n    configurations(first: 100) { nodes { id name description createdAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfigurationCreate($name: String!, $description: String!) {\n    configurationCreate(input: { name: $name, description: $description }) {\n      configuration { id name description createdAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation ConfigurationCreate($name: String!, $description: String!) {\n    configurationCreate(input: { name: $name, description: $description }) {\n      configuration { id name description createdAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfigurationDelete($id: ID!) {\n    configurationDelete(input: { id: $id }) {\n      configuration { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation ConfigurationDelete($id: ID!) {\n    configurationDelete(input: { id: $id }) {\n      configuration { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PinLogin {\n    organisation { id pinLoginEnabled }\n    devices(first: 100) {\n      nodes { id name deviceType status online lastSeenAt appVersion }\n    }\n  }\n"): (typeof documents)["\n  query PinLogin {\n    organisation { id pinLoginEnabled }\n    devices(first: 100) {\n      nodes { id name deviceType status online lastSeenAt appVersion }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PinLoginSet($enabled: Boolean!) {\n    organisationUpdate(input: { pinLoginEnabled: $enabled }) {\n      organisation { id pinLoginEnabled }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation PinLoginSet($enabled: Boolean!) {\n    organisationUpdate(input: { pinLoginEnabled: $enabled }) {\n      organisation { id pinLoginEnabled }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeviceRename($id: ID!, $name: String!) {\n    deviceRename(input: { id: $id, name: $name }) {\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation DeviceRename($id: ID!, $name: String!) {\n    deviceRename(input: { id: $id, name: $name }) {\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeviceRevoke($id: ID!) {\n    deviceRevoke(input: { id: $id }) {\n      device { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation DeviceRevoke($id: ID!) {\n    deviceRevoke(input: { id: $id }) {\n      device { id status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeviceDelete($id: ID!) {\n    deviceDelete(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation DeviceDelete($id: ID!) {\n    deviceDelete(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeviceLogout($id: ID!) {\n    deviceLogout(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation DeviceLogout($id: ID!) {\n    deviceLogout(input: { id: $id }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeviceDetails($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Device {\n        id name deviceType status online appVersion lastSeenAt approvedAt\n        configuration { id name }\n        sessions(first: 50) {\n          nodes {\n            id method ipAddress createdAt endedAt endReason locked active\n            user { id displayName }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DeviceDetails($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Device {\n        id name deviceType status online appVersion lastSeenAt approvedAt\n        configuration { id name }\n        sessions(first: 50) {\n          nodes {\n            id method ipAddress createdAt endedAt endReason locked active\n            user { id displayName }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users(first: 100) { nodes { id username displayName role loginMethod hasPin } }\n  }\n"): (typeof documents)["\n  query Users {\n    users(first: 100) { nodes { id username displayName role loginMethod hasPin } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UserCreate($input: UserCreateInput!) {\n    userCreate(input: $input) {\n      user { id displayName }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation UserCreate($input: UserCreateInput!) {\n    userCreate(input: $input) {\n      user { id displayName }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UserResetPin($id: ID!) {\n    userUpdate(input: { id: $id, generatePin: true }) {\n      user { id displayName hasPin }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation UserResetPin($id: ID!) {\n    userUpdate(input: { id: $id, generatePin: true }) {\n      user { id displayName hasPin }\n      generatedPin\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UserDelete($id: ID!) {\n    userDelete(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation UserDelete($id: ID!) {\n    userDelete(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UserLogout($id: ID!) {\n    userLogout(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation UserLogout($id: ID!) {\n    userLogout(input: { id: $id }) {\n      user { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConnectionCodeEvents($id: ID!) {\n    connectionCodeEvents(id: $id) {\n      type\n      at\n      connectionCode { id status useCount }\n      device { id name }\n    }\n  }\n"): (typeof documents)["\n  subscription ConnectionCodeEvents($id: ID!) {\n    connectionCodeEvents(id: $id) {\n      type\n      at\n      connectionCode { id status useCount }\n      device { id name }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeviceEvents($id: ID) {\n    deviceEvents(id: $id) { type deviceId at }\n  }\n"): (typeof documents)["\n  subscription DeviceEvents($id: ID) {\n    deviceEvents(id: $id) { type deviceId at }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPair($code: String!, $name: String) {\n    devicePair(input: { code: $code, name: $name }) {\n      deviceToken\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPair($code: String!, $name: String) {\n    devicePair(input: { code: $code, name: $name }) {\n      deviceToken\n      device { id name }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegisterThisDevice {\n    thisDevice {\n      known approved pinLoginAvailable name organisationName\n      lockedSession { lockedAt user { displayName } }\n    }\n  }\n"): (typeof documents)["\n  query RegisterThisDevice {\n    thisDevice {\n      known approved pinLoginAvailable name organisationName\n      lockedSession { lockedAt user { displayName } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPinLogin($pin: String!) {\n    loginWithPin(input: { pin: $pin }) {\n      token\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPinLogin($pin: String!) {\n    loginWithPin(input: { pin: $pin }) {\n      token\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPasswordLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPasswordLogin($username: String!, $password: String!) {\n    loginWithPassword(input: { username: $username, password: $password }) {\n      token\n      deviceToken\n      deviceApproval\n      user { id displayName }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegisterViewer {\n    viewer { user { id displayName role } session { id method } }\n  }\n"): (typeof documents)["\n  query RegisterViewer {\n    viewer { user { id displayName role } session { id method } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterLock {\n    sessionLock(input: {}) {\n      session { id locked }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterLock {\n    sessionLock(input: {}) {\n      session { id locked }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterLogout {\n    logout { session { id } userErrors { message code } }\n  }\n"): (typeof documents)["\n  mutation RegisterLogout {\n    logout { session { id } userErrors { message code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverrideActions {\n    overrideActions { key label approverRoles }\n  }\n"): (typeof documents)["\n  query OverrideActions {\n    overrideActions { key label approverRoles }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OverrideApprove($pin: String!, $action: OverrideAction!, $reason: String!) {\n    overrideApprove(input: { pin: $pin, action: $action, reason: $reason }) {\n      overrideToken\n      override { id action reason expiresAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation OverrideApprove($pin: String!, $action: OverrideAction!, $reason: String!) {\n    overrideApprove(input: { pin: $pin, action: $action, reason: $reason }) {\n      overrideToken\n      override { id action reason expiresAt }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ThisDeviceEvents {\n    thisDeviceEvents { type deviceId at }\n  }\n"): (typeof documents)["\n  subscription ThisDeviceEvents {\n    thisDeviceEvents { type deviceId at }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveThisDevice($name: String!) {\n    deviceApprove(input: { name: $name }) {\n      device { id name status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveThisDevice($name: String!) {\n    deviceApprove(input: { name: $name }) {\n      device { id name status }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeclineThisDevice($dontAskAgain: Boolean!) {\n    deviceDeclineApproval(input: { dontAskAgain: $dontAskAgain }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation DeclineThisDevice($dontAskAgain: Boolean!) {\n    deviceDeclineApproval(input: { dontAskAgain: $dontAskAgain }) {\n      device { id }\n      userErrors { field message code retryAfterSeconds }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;