From: DMARC reports <dmarc-reports@mimecast.example>
To: rua@rua.ticketing.example
Subject: DMARC Aggregate Report for corpus.example
Date: Mon, 02 Nov 2026 04:05:06 +0000
Message-ID: <3553812996@corpus.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==corpus-boundary-1=="

--==corpus-boundary-1==
Content-Type: text/plain; charset=us-ascii

This is an aggregate report from the reporter above.
--==corpus-boundary-1==
Content-Type: application/gzip; name="mimecast.org!corpus.example!1793491200!1793577599.xml.gz"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="mimecast.org!corpus.example!1793491200!1793577599.xml.gz"

H4sIAAAAAAAC/81UTXObMBC951cwvhsBjUuYUZSeeuutPTOytNhq0Eclkab/vosFGDdukumpF3u1
X2/f7rPpw7PusyfwQVlzvynzYpOBEVYqc7jffPv6eXu3yR7YDe0A5J6LR3aTZdSDsz62GiKXPPLR
h17rD63hGtgXpUHwEClZXCkDNFc9k5p7sU09wic9JefwzLXrgZKUlSomJCWZFlthvRvCtiiKkpJz
JGXiINB6bg4TGLr2cFCGlXXz4bYpq6KgJHnmOBh5iu7qetc0CGzmZuSy24K2Zkyd7ZX41bph36tw
BMmotDi6YWnOM6HJTbl8VJp5SpJBeXDd6Tl+U8d+DBwhozJY4xgNlx58UiciK0cio4Gff06QjoP4
MxFvfy50gx28gFY5VjZ3+a7MsVNe3mLnJTCnCjsYRKopSdbsnwDhifcDbkjOgXH/KjgbVEQdMWPH
gdeeVd5I3fEQMGE0z5FxCykwWjMkuY6JJ5mpUSUBd9QpVPFSdgQuwbedt/rFPdaxqdmLFpQP8dh6
CEMfA0tTv3XfAD2IaD0LVVF9RBrzm6Y+E7vpMfE/0X6r8/X6UyW5GHQS66yA94mhyou8yuv6FSX8
oxA8fMcNvCqFDn/sV6WQAv+fFNb3svEI/q/nSgzefS5Kzn+yvwEi29REmAUAAA0KAAAAAA==
--==corpus-boundary-1==--
