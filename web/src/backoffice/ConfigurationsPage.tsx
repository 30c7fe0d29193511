import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { RequestError, UserErrors, useDateTime } from "../shared/ui";

const Configurations = graphql(`
  query Configurations {
    configurations(first: 100) { nodes { id name description createdAt } }
  }
`);

const Create = graphql(`
  mutation ConfigurationCreate($name: String!, $description: String!) {
    configurationCreate(input: { name: $name, description: $description }) {
      configuration { id name description createdAt }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Delete = graphql(`
  mutation ConfigurationDelete($id: ID!) {
    configurationDelete(input: { id: $id }) {
      configuration { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

export function ConfigurationsPage() {
  const { t } = useTranslation();
  const when = useDateTime();
  const [list, refetch] = useQuery({ query: Configurations, requestPolicy: "cache-and-network" });
  const [created, create] = useMutation(Create);
  const [deleted, remove] = useMutation(Delete);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await create({ name, description });
    if (answer.data?.configurationCreate.configuration) {
      setName("");
      setDescription("");
      refetch({ requestPolicy: "network-only" });
    }
  };
  const drop = async (id: string) => {
    await remove({ id });
    refetch({ requestPolicy: "network-only" });
  };
  return (
    <>
      <h1>{t("configurations.title")}</h1>
      <RequestError error={list.error} />
      <table>
        <caption className="visually-hidden">{t("configurations.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("configurations.name")}</th>
            <th scope="col">{t("configurations.description")}</th>
            <th scope="col">{t("common.createdAt")}</th>
            <th scope="col"><span className="visually-hidden">{t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {list.data?.configurations.nodes.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.description}</td>
              <td>{when(c.createdAt)}</td>
              <td>
                <button type="button" className="secondary" onClick={() => void drop(c.id)} aria-label={t("configurations.deleteNamed", { name: c.name })}>
                  {t("common.delete")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <UserErrors errors={deleted.data?.configurationDelete.userErrors} />
      <section className="card" style={{ marginTop: "1rem" }}>
        <h2>{t("configurations.create")}</h2>
        <form onSubmit={submit}>
          <label>
            {t("configurations.name")}
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </label>
          <label>
            {t("configurations.description")}
            <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
          </label>
          <UserErrors errors={created.data?.configurationCreate.userErrors} />
          <div className="actions">
            <button type="submit" disabled={created.fetching}>{t("configurations.createSubmit")}</button>
          </div>
        </form>
      </section>
    </>
  );
}
