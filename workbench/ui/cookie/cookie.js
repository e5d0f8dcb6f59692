// Sets or clears the session cookie; draws nothing.
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  if (data.token) {
    document.cookie = `${data.name}=${data.token}; Path=/; Max-Age=${data.max_age}; SameSite=Strict${secure}`;
  } else {
    document.cookie = `${data.name}=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
  }
}
